using System.CommandLine;
using Slipway.Cli.Output;
using Slipway.Contracts;

namespace Slipway.Cli.Commands;

/// <summary>
/// <c>aka hooks:deliveries ID -a APP [--json]</c> (also <c>hooks:results</c>): the hook's delivery
/// attempts, newest first, one a line: when, the event, the answer (or the error), how long it took.
/// </summary>
public sealed class HooksDeliveriesCommand : AkaCommand
{
    private readonly Argument<string> _id = new("ID") { Description = "The hook's id (aka hooks -a APP lists them)" };
    private readonly Option<string> _app = CommonOptions.App();
    private readonly Option<bool> _json = CommonOptions.Json();

    public HooksDeliveriesCommand(CliContext context, CliOutput output)
        : base("hooks:deliveries", "List a webhook's delivery attempts, newest first", context, output)
    {
        Aliases.Add("hooks:results");
        Arguments.Add(_id);
        Options.Add(_app);
        Options.Add(_json);
    }

    /// <summary>One attempt in words: <c>200 in 12 ms, 3 minutes ago</c>, or the error instead of the status.</summary>
    public static string Describe(HookResultResponse result, DateTimeOffset now) =>
        $"{(result.Response.Code is { } code ? code.ToString(System.Globalization.CultureInfo.InvariantCulture) : result.Error)} in {result.DurationMs} ms, {TimeText.Relative(result.CreatedAt, now)} ({result.Action}, {result.DeliveryState})";

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        var id = parseResult.GetRequiredValue(_id);
        using var api = Connect();
        var results = await api.HookResultsAsync(app, id, ct);
        if (parseResult.GetValue(_json))
        {
            Output.Json(results.Json);
            return 0;
        }

        if (results.Value.Count == 0)
        {
            Output.Line($"Hook {id} of {app} has no deliveries yet");
            return 0;
        }

        var now = Context.Clock.GetUtcNow();
        Output.Rows(results.Value.Select(r => (IReadOnlyList<string>)
        [
            "• " + TimeText.Relative(r.CreatedAt, now),
            r.Action,
            r.Response.Code?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
            $"{r.DurationMs} ms",
            $"attempt {r.Attempt}",
            r.DeliveryState,
            r.Error ?? "",
        ]));
        return 0;
    }
}
