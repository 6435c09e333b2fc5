using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary><c>aka addons:services [--json]</c>: the add-on services the brokers offer: name, display name, broker, plans.</summary>
public sealed class AddonsServicesCommand : AkaCommand
{
    private readonly Option<bool> _json = CommonOptions.Json();

    public AddonsServicesCommand(CliContext context, CliOutput output)
        : base("addons:services", "List the add-on services that can be attached", context, output)
    {
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        using var api = Connect();
        var services = await api.ListAddonServicesAsync(ct);
        if (parseResult.GetValue(_json))
        {
            Output.Json(services.Json);
            return 0;
        }

        if (services.Value.Count == 0)
        {
            Output.Line("No add-on services are available");
            return 0;
        }

        Output.Rows(services.Value.Select(s => (IReadOnlyList<string>)[s.Name, s.HumanName, s.Broker, string.Join(", ", s.Plans)]));
        return 0;
    }
}
