using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Slipway.Server.Addons.BuiltIn;

/// <summary>
/// The built-in brokers and the basic-auth credentials they accept: <c>slipway</c> and
/// <c>Slipway:Addons:BuiltInPassword</c>, or a random password made for this process.
/// </summary>
public sealed class BuiltInBrokers(IEnumerable<IBuiltInBroker> brokers, SelfAddress self, IOptions<AddonOptions> options)
{
    public const string Username = "slipway";

    /// <summary>The built-in brokers' names, reserved so no other broker can take them.</summary>
    public static readonly IReadOnlyList<string> Names = [PostgresBroker.BrokerName, FilestoreBroker.BrokerName];

    private readonly string _password = options.Value.BuiltInPassword is { Length: > 0 } configured
        ? configured
        : RandomNumberGenerator.GetHexString(40, lowercase: true);

    public static bool IsBuiltInName(string name) => Names.Contains(name);

    public IReadOnlyList<IBuiltInBroker> All { get; } = [.. brokers];

    public IBuiltInBroker? Find(string name) => All.FirstOrDefault(b => b.Name == name);

    /// <summary>How the platform side calls <paramref name="broker"/>: over HTTP, at this server's own address.</summary>
    public Broker AsBroker(IBuiltInBroker broker) =>
        new(broker.Name, new Uri(self.BaseUrl, $"brokers/{broker.Name}/"), Username, _password, BrokerSource.BuiltIn, broker.MissingConfiguration);

    public bool Accepts(string? username, string? password) =>
        username == Username
        && password is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(_password));
}
