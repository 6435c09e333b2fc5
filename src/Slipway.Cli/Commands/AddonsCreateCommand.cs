using System.CommandLine;
using System.Net;
using Slipway.Cli.Output;
using Slipway.Contracts;

namespace Slipway.Cli.Commands;

/// <summary>
/// <c>aka addons:create SERVICE:PLAN -a APP [--name N]</c>: provisions and attaches an add-on,
/// waiting (with a spinner on a terminal) until it is attached; prints its name and the config
/// vars it added (names, never values).
/// </summary>
public sealed class AddonsCreateCommand : AkaCommand
{
    private readonly Argument<string> _plan = new("plan") { Description = "SERVICE:PLAN (or SERVICE for its default plan)" };
    private readonly Option<string> _app = CommonOptions.App();
    private readonly Option<string> _name = new("--name") { Description = "The add-on's name (default: generated)" };

    public AddonsCreateCommand(CliContext context, CliOutput output)
        : base("addons:create", "Provision an add-on and attach it to an app", context, output)
    {
        Arguments.Add(_plan);
        Options.Add(_app);
        Options.Add(_name);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        var plan = parseResult.GetRequiredValue(_plan);
        using var api = Connect();
        var key = (await api.GetAppAsync(app, ct)).Value.Name;
        var action = $"Creating {plan} on {key}";
        var addon = await Output.WhileAsync(action, async () =>
        {
            var created = await api.CreateAddonAsync(key, new CreateAddonRequest(plan, parseResult.GetValue(_name)), ct);
            return created.Status == HttpStatusCode.Accepted ? await api.WaitForAddonAsync(created.Value, ct) : created.Value;
        });

        if (addon.State != "provisioned")
        {
            Output.Failed(action);
            throw new CliException(addon.StateMessage ?? $"{addon.Name} is {addon.State}.");
        }

        Output.Done(action);
        Output.Line(addon.ConfigVars.Count == 0 ? $"Created {addon.Name}" : $"Created {addon.Name} as {string.Join(", ", addon.ConfigVars)}");
        return 0;
    }
}
