using System.CommandLine;
using Slipway.Cli.Output;
using Slipway.Contracts;

namespace Slipway.Cli.Commands;

/// <summary>
/// <c>aka hooks:create URL -e EVENTS -s SECRET -a APP [--inactive]</c>: a webhook that gets the
/// events (a comma list) signed with the secret.
/// </summary>
public sealed class HooksCreateCommand : AkaCommand
{
    private readonly Argument<string> _url = new("URL") { Description = "Where each event is POSTed (http or https)" };
    private readonly Option<string> _app = CommonOptions.App();
    private readonly Option<string> _events = new("--events", "-e")
    {
        Description = "The events, a comma list: release, released, build, config_change, addon_change, formation_change, pipeline_promotion, destroy",
        Required = true,
    };

    private readonly Option<string> _secret = new("--secret", "-s") { Description = "The key each delivery's signature is made with", Required = true };
    private readonly Option<bool> _inactive = new("--inactive") { Description = "Create it switched off" };
    private readonly Option<bool> _json = CommonOptions.Json();

    public HooksCreateCommand(CliContext context, CliOutput output)
        : base("hooks:create", "Add a webhook to the app", context, output)
    {
        Arguments.Add(_url);
        Options.Add(_app);
        Options.Add(_events);
        Options.Add(_secret);
        Options.Add(_inactive);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        var events = parseResult.GetRequiredValue(_events).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        using var api = Connect();
        var request = new CreateHookRequest(parseResult.GetRequiredValue(_url), events, !parseResult.GetValue(_inactive), parseResult.GetRequiredValue(_secret));
        var created = await Output.WhileAsync($"Creating hook for {app}", () => api.CreateHookAsync(app, request, ct));
        if (parseResult.GetValue(_json))
        {
            Output.Json(created.Json);
            return 0;
        }

        var hook = created.Value;
        Output.Done($"Creating hook {hook.Id} for {app}");
        Output.Fields(("URL", hook.Url), ("Events", string.Join(", ", hook.Events)), ("Active", hook.Active ? "true" : "false"));
        return 0;
    }
}
