using System.Text.RegularExpressions;

namespace Slipway.Server.Addons;

/// <summary>The naming rules for brokers and add-ons: lowercase words joined by dashes.</summary>
public static partial class BrokerNames
{
    public const int MaxLength = 63;

    /// <summary>Why <paramref name="name"/> cannot name a broker or an add-on, or null when it can.</summary>
    public static string? Problem(string? name) => name switch
    {
        null or "" => "A name is required.",
        { Length: > MaxLength } => $"'{name}' is longer than {MaxLength} characters.",
        _ when !Pattern().IsMatch(name) => $"'{name}' is not valid: use lowercase letters, digits and dashes, starting with a letter (^[a-z][a-z0-9-]*$).",
        _ => null,
    };

    [GeneratedRegex("^[a-z][a-z0-9-]*$")]
    private static partial Regex Pattern();
}
