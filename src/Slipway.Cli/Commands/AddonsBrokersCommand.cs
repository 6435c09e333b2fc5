using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary><c>aka addons:brokers [--json]</c> (admins only): the service brokers, one row each: name, URL, source, status, services.</summary>
public sealed class AddonsBrokersCommand : AkaCommand
{
    private readonly Option<bool> _json = CommonOptions.Json();

    public AddonsBrokersCommand(CliContext context, CliOutput output)
        : base("addons:brokers", "List the add-on service brokers (admins only)", context, output)
    {
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        using var api = Connect();
        var brokers = await api.ListAddonBrokersAsync(ct);
        if (parseResult.GetValue(_json))
        {
            Output.Json(brokers.Json);
            return 0;
        }

        Output.Rows(brokers.Value.Select(b => (IReadOnlyList<string>)
        [
            b.Name,
            b.Url,
            b.Source,
            b.Available ? b.CatalogError is null ? "available" : $"catalog failed: {b.CatalogError}" : $"unavailable: {b.UnavailableReason}",
            string.Join(", ", b.Services),
        ]));
        return 0;
    }
}
