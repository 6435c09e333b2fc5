using System.CommandLine;
using System.Globalization;
using Slipway.Cli.Output;
using Slipway.Contracts;

namespace Slipway.Cli.Commands;

/// <summary>
/// <c>aka ps -a APP [--json]</c>: the app's processes, one line each, web first:
/// <c>web.1: up 3m (v12)</c>, <c>worker.1: crashed 10s ago (v12)</c>.
/// </summary>
public sealed class PsCommand : AkaCommand
{
    private readonly Option<string> _app = CommonOptions.App();
    private readonly Option<bool> _json = CommonOptions.Json();

    public PsCommand(CliContext context, CliOutput output)
        : base("ps", "List an app's processes (dynos)", context, output)
    {
        Options.Add(_app);
        Options.Add(_json);
    }

    /// <summary>One process as <c>aka ps</c> prints it, its age measured against <paramref name="now"/>.</summary>
    public static string Line(DynoResponse dyno, DateTimeOffset now)
    {
        var since = TimeText.Short(dyno.Since, now);
        var state = dyno.State == "crashed" ? $"crashed {since} ago" : $"{dyno.State} {since}";
        return string.Create(CultureInfo.InvariantCulture, $"{dyno.Name}: {state} (v{dyno.ReleaseVersion})");
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        using var api = Connect();
        var dynos = await api.ListDynosAsync(app, ct);
        if (parseResult.GetValue(_json))
        {
            Output.Json(dynos.Json);
            return 0;
        }

        if (dynos.Value.Count == 0)
        {
            Output.Line($"{app} has no processes running");
            return 0;
        }

        var now = Context.Clock.GetUtcNow();
        foreach (var dyno in dynos.Value.OrderBy(d => d.Type == "web" ? 0 : 1).ThenBy(d => d.Type, StringComparer.Ordinal).ThenBy(d => Index(d.Name)))
        {
            Output.Line(Line(dyno, now), dyno.State == "crashed" ? Tone.Failure : Tone.Plain);
        }

        return 0;
    }

    private static int Index(string name) =>
        int.TryParse(name[(name.LastIndexOf('.') + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : 0;
}
