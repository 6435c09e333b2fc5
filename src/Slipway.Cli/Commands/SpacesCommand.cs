using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary><c>aka spaces [--json]</c>: one space a line, its description aligned after the name.</summary>
public sealed class SpacesCommand : AkaCommand
{
    private readonly Option<bool> _json = CommonOptions.Json();

    public SpacesCommand(CliContext context, CliOutput output)
        : base("spaces", "List the spaces you can see", context, output)
    {
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        using var api = Connect();
        var spaces = await api.ListSpacesAsync(ct);
        if (parseResult.GetValue(_json))
        {
            Output.Json(spaces.Json);
            return 0;
        }

        Output.Rows(spaces.Value.Select(s => (IReadOnlyList<string>)[s.Name, s.Description ?? ""]));
        return 0;
    }
}
