using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary><c>aka addons:info NAME -a APP [--json]</c>: one add-on in full; config vars by name only.</summary>
public sealed class AddonsInfoCommand : AkaCommand
{
    private readonly Argument<string> _addon = new("addon") { Description = "The add-on: its name or id" };
    private readonly Option<string> _app = CommonOptions.App();
    private readonly Option<bool> _json = CommonOptions.Json();

    public AddonsInfoCommand(CliContext context, CliOutput output)
        : base("addons:info", "Show one add-on", context, output)
    {
        Arguments.Add(_addon);
        Options.Add(_app);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        using var api = Connect();
        var result = await api.GetAddonAsync(app, parseResult.GetRequiredValue(_addon), ct);
        if (parseResult.GetValue(_json))
        {
            Output.Json(result.Json);
            return 0;
        }

        var addon = result.Value;
        Output.Heading(addon.Name);
        Output.Fields(
            ("App", addon.App.Name),
            ("Plan", addon.Plan.Name),
            ("State", addon.State),
            ("Message", addon.StateMessage),
            ("Config vars", addon.ConfigVars.Count == 0 ? "none" : string.Join(", ", addon.ConfigVars)),
            ("Broker", addon.Broker),
            ("Web URL", addon.WebUrl),
            ("Created", TimeText.Iso(addon.CreatedAt)),
            ("Id", addon.Id.ToString()));
        return 0;
    }
}
