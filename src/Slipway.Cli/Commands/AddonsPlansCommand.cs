using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary><c>aka addons:plans SERVICE [--json]</c>: the service's plans (<c>service:plan</c>, as <c>addons:create</c> takes them), the default marked.</summary>
public sealed class AddonsPlansCommand : AkaCommand
{
    private readonly Argument<string> _service = new("service") { Description = "The add-on service, e.g. filestore" };
    private readonly Option<bool> _json = CommonOptions.Json();

    public AddonsPlansCommand(CliContext context, CliOutput output)
        : base("addons:plans", "List the plans of an add-on service", context, output)
    {
        Arguments.Add(_service);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        using var api = Connect();
        var plans = await api.ListAddonPlansAsync(parseResult.GetRequiredValue(_service), ct);
        if (parseResult.GetValue(_json))
        {
            Output.Json(plans.Json);
            return 0;
        }

        Output.Rows(plans.Value.Select(p => (IReadOnlyList<string>)[p.Default ? "default" : "", p.Name, p.Free ? "free" : "paid", p.Description]));
        return 0;
    }
}
