using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary><c>aka addons -a APP [--json]</c>: the app's add-ons, one row each: name, plan, state, the config vars it gives (names only).</summary>
public sealed class AddonsCommand : AkaCommand
{
    private readonly Option<string> _app = CommonOptions.App();
    private readonly Option<bool> _json = CommonOptions.Json();

    public AddonsCommand(CliContext context, CliOutput output)
        : base("addons", "List an app's add-ons", context, output)
    {
        Options.Add(_app);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        using var api = Connect();
        var addons = await api.ListAddonsAsync(app, ct);
        if (parseResult.GetValue(_json))
        {
            Output.Json(addons.Json);
            return 0;
        }

        if (addons.Value.Count == 0)
        {
            Output.Line($"{app} has no add-ons");
            return 0;
        }

        Output.Rows(addons.Value.Select(a => (IReadOnlyList<string>)[a.Name, a.Plan.Name, a.State, string.Join(", ", a.ConfigVars)]));
        return 0;
    }
}
