using System.CommandLine;
using System.Globalization;
using Slipway.Cli.Output;
using Slipway.Contracts;

namespace Slipway.Cli.Commands;

/// <summary>
/// <c>aka ps:scale TYPE=N... -a APP</c>: sets how many processes of each type run (no new
/// release). Prints <c>Scaling dynos... done, now running web at 2, worker at 1</c>.
/// </summary>
public sealed class PsScaleCommand : AkaCommand
{
    private readonly Argument<string[]> _changes = new("changes") { Arity = ArgumentArity.OneOrMore, Description = "TYPE=QUANTITY pairs, e.g. web=2 worker=1" };
    private readonly Option<string> _app = CommonOptions.App();

    public PsScaleCommand(CliContext context, CliOutput output)
        : base("ps:scale", "Scale an app's process types", context, output)
    {
        Arguments.Add(_changes);
        Options.Add(_app);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        var updates = parseResult.GetRequiredValue(_changes).Select(Parse).ToList();
        using var api = Connect();
        var formation = (await api.PatchFormationAsync(app, new FormationPatchRequest(updates, null), ct)).Value;
        var running = updates
            .Select(u => formation.FirstOrDefault(f => f.Type == u.Type) is { } f ? string.Create(CultureInfo.InvariantCulture, $"{f.Type} at {f.Quantity}") : null)
            .OfType<string>();
        Output.Line($"Scaling dynos... done, now running {string.Join(", ", running)}");
        return 0;
    }

    private static FormationUpdate Parse(string change)
    {
        var equals = change.IndexOf('=', StringComparison.Ordinal);
        if (equals < 1 || !int.TryParse(change[(equals + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var quantity))
        {
            throw new CliException($"'{change}' is not TYPE=QUANTITY (e.g. web=2).");
        }

        return new FormationUpdate(change[..equals], quantity, null);
    }
}
