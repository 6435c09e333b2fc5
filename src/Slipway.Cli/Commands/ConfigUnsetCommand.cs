using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary><c>aka config:unset KEY [KEY...] -a APP</c>: removes config vars in one release.</summary>
public sealed class ConfigUnsetCommand : AkaCommand
{
    private readonly Argument<string[]> _keys = new("KEY") { Arity = ArgumentArity.OneOrMore, Description = "Config vars to remove" };
    private readonly Option<string> _app = CommonOptions.App();

    public ConfigUnsetCommand(CliContext context, CliOutput output)
        : base("config:unset", "Remove config vars and restart the app", context, output)
    {
        Arguments.Add(_keys);
        Options.Add(_app);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var changes = new OrderedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (var key in parseResult.GetRequiredValue(_keys))
        {
            changes[key] = null;
        }

        using var api = Connect();
        return await ConfigPatch.ApplyAsync(api, Output, parseResult.GetRequiredValue(_app), changes, "Unsetting", "not set", ct);
    }
}
