using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary><c>aka config:set K=V [K=V...] -a APP</c>: sets config vars in one release.</summary>
public sealed class ConfigSetCommand : AkaCommand
{
    private readonly Argument<string[]> _pairs = new("KEY=value") { Arity = ArgumentArity.OneOrMore, Description = "Config vars to set" };
    private readonly Option<string> _app = CommonOptions.App();

    public ConfigSetCommand(CliContext context, CliOutput output)
        : base("config:set", "Set config vars and restart the app", context, output)
    {
        Arguments.Add(_pairs);
        Options.Add(_app);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var changes = Parse(parseResult.GetRequiredValue(_pairs));
        using var api = Connect();
        return await ConfigPatch.ApplyAsync(api, Output, parseResult.GetRequiredValue(_app), changes, "Setting", "already set", ct);
    }

    /// <summary>
    /// <c>KEY=value</c> items in the order given (a repeated key keeps its first place and its last
    /// value). A malformed item is named by position, never echoed: it may be a secret.
    /// </summary>
    internal static OrderedDictionary<string, string?> Parse(IReadOnlyList<string> items)
    {
        var changes = new OrderedDictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var separator = items[i].IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                throw new CliException($"Config vars are set as KEY=value; argument {i + 1} is not.");
            }

            changes[items[i][..separator]] = items[i][(separator + 1)..];
        }

        return changes;
    }
}
