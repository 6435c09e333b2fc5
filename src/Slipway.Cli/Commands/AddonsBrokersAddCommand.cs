using System.CommandLine;
using Slipway.Cli.Output;
using Slipway.Contracts;

namespace Slipway.Cli.Commands;

/// <summary>
/// <c>aka addons:brokers:add NAME URL [--username U --password P]</c> (admins only): registers an
/// Open Service Broker; the server adds it only once its catalog answers.
/// </summary>
public sealed class AddonsBrokersAddCommand : AkaCommand
{
    private readonly Argument<string> _name = new("name") { Description = "The broker's name" };
    private readonly Argument<string> _url = new("url") { Description = "Where the broker's /v2/catalog is found" };
    private readonly Option<string> _username = new("--username") { Description = "Basic auth user" };
    private readonly Option<string> _password = new("--password") { Description = "Basic auth password" };

    public AddonsBrokersAddCommand(CliContext context, CliOutput output)
        : base("addons:brokers:add", "Add an add-on service broker (admins only)", context, output)
    {
        Arguments.Add(_name);
        Arguments.Add(_url);
        Options.Add(_username);
        Options.Add(_password);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        using var api = Connect();
        var request = new CreateAddonBrokerRequest(parseResult.GetRequiredValue(_name), parseResult.GetRequiredValue(_url), parseResult.GetValue(_username), parseResult.GetValue(_password));
        var broker = (await api.CreateAddonBrokerAsync(request, ct)).Value;
        Output.Line(broker.Services.Count == 0 ? $"Added broker {broker.Name}" : $"Added broker {broker.Name} with {string.Join(", ", broker.Services)}");
        return 0;
    }
}
