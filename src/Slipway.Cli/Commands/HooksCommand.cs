using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary><c>aka hooks -a APP [--json]</c>: the app's webhooks, each with its events, whether it is active and its last delivery.</summary>
public sealed class HooksCommand : AkaCommand
{
    private readonly Option<string> _app = CommonOptions.App();
    private readonly Option<bool> _json = CommonOptions.Json();

    public HooksCommand(CliContext context, CliOutput output)
        : base("hooks", "List the app's webhooks", context, output)
    {
        Options.Add(_app);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        using var api = Connect();
        var hooks = await api.ListHooksAsync(app, ct);
        if (parseResult.GetValue(_json))
        {
            Output.Json(hooks.Json);
            return 0;
        }

        if (hooks.Value.Count == 0)
        {
            Output.Line($"{app} has no hooks");
            return 0;
        }

        Output.Heading($"{app} Hooks");
        var now = Context.Clock.GetUtcNow();
        foreach (var hook in hooks.Value)
        {
            Output.Line();
            Output.Fields(
                ("Id", hook.Id.ToString()),
                ("URL", hook.Url),
                ("Events", string.Join(", ", hook.Events)),
                ("Active", hook.Active ? "true" : "false"),
                ("Last delivery", hook.LastDelivery is { } last ? HooksDeliveriesCommand.Describe(last, now) : "none yet"));
        }

        return 0;
    }
}
