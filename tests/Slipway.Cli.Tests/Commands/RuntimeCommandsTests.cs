using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;

namespace Slipway.Cli.Tests.Commands;

public sealed partial class RuntimeCommandsTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private const string Worker = "while true; do sleep 1; done";

    [Fact]
    public async Task Ps_AfterADeploy_PrintsTheWebProcessUp()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.DeploySlugAsync(app);
        var dynos = await fixture.Api.WaitForDynosAsync(app, d => d is [{ State: "up" }]);
        var aka = fixture.Aka with { Clock = new FakeTimeProvider(dynos[0].Since.AddMinutes(3)) };

        var result = await aka.RunAsync("ps", "-a", app);

        Assert.Equal("web.1: up 3m (v1)\n", result.Out);
        Assert.Equal("", result.Error);
        Assert.Equal(0, result.ExitCode);
        await fixture.Api.DestroyAppAsync(app);
    }

    [Fact]
    public void Ps_CrashedProcess_SaysHowLongAgo()
    {
        var line = PsLine(new("worker.1", "worker", "crashed", DateTimeOffset.UnixEpoch, 12, "exit 1", 3, "standard", null, new(Guid.Empty, "app-space"), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch), DateTimeOffset.UnixEpoch.AddSeconds(10));

        Assert.Equal("worker.1: crashed 10s ago (v12)", line);
    }

    [Fact]
    public async Task Ps_AppWithoutCode_SaysNothingRuns()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;

        var result = await fixture.Aka.RunAsync("ps", "-a", app);

        Assert.Equal($"{app} has no processes running\n", result.Out);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task PsScale_UpThenDown_PrintsTheNewFormationAndTheProcessesFollow()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.DeploySlugAsync(app, new Dictionary<string, string> { ["web"] = SlipwayApi.StaticWeb, ["worker"] = Worker });

        var up = await fixture.Aka.RunAsync("ps:scale", "web=2", "worker=1", "-a", app);

        Assert.Equal("Scaling dynos... done, now running web at 2, worker at 1\n", up.Out);
        Assert.Equal(0, up.ExitCode);
        var dynos = await fixture.Api.WaitForDynosAsync(app, d => d.Count == 3 && d.All(x => x.State == "up"));
        var ps = await (fixture.Aka with { Clock = new FakeTimeProvider(dynos.Max(d => d.Since).AddMinutes(1)) }).RunAsync("ps", "-a", app);
        Assert.Equal(["web.1", "web.2", "worker.1"], ps.Out.TrimEnd('\n').Split('\n').Select(l => l[..l.IndexOf(':')]));
        Assert.All(ps.Out.TrimEnd('\n').Split('\n'), l => Assert.Matches(@"^(web|worker)\.\d: up \d+m \(v1\)$", l));

        var down = await fixture.Aka.RunAsync("ps:scale", "web=1", "worker=0", "-a", app);

        Assert.Equal("Scaling dynos... done, now running web at 1, worker at 0\n", down.Out);
        await fixture.Api.WaitForDynosAsync(app, d => d is [{ Name: "web.1", State: "up" }]);
        await fixture.Api.DestroyAppAsync(app);
    }

    [Fact]
    public async Task PsScale_UnknownType_FailsWithTheServerMessage()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.DeploySlugAsync(app);

        var result = await fixture.Aka.RunAsync("ps:scale", "nope=1", "-a", app);

        Assert.Equal($"! {app} has no process type 'nope' (it has: web).\n", result.Error);
        Assert.Equal("", result.Out);
        Assert.Equal(1, result.ExitCode);
        await fixture.Api.DestroyAppAsync(app);
    }

    [Fact]
    public async Task PsScale_NotTypeEqualsQuantity_IsRefused()
    {
        var result = await fixture.Aka.RunAsync("ps:scale", "web2", "-a", "whatever-space");

        Assert.Equal("! 'web2' is not TYPE=QUANTITY (e.g. web=2).\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task PsRestart_AllAndOneType_RestartsTheProcesses()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.DeploySlugAsync(app);
        var before = (await fixture.Api.WaitForDynosAsync(app, d => d is [{ State: "up" }]))[0];

        var all = await fixture.Aka.RunAsync("ps:restart", "-a", app);

        Assert.Equal($"Restarting dynos on {app}... done\n", all.Out);
        Assert.Equal(0, all.ExitCode);
        var restarted = (await fixture.Api.WaitForDynosAsync(app, d => d is [{ State: "up" } one] && one.Since > before.Since))[0];

        var web = await fixture.Aka.RunAsync("ps:restart", "web", "-a", app);

        Assert.Equal($"Restarting web dynos on {app}... done\n", web.Out);
        await fixture.Api.WaitForDynosAsync(app, d => d is [{ State: "up" } one] && one.Since > restarted.Since);
        await fixture.Api.DestroyAppAsync(app);
    }

    [Fact]
    public async Task PsRestart_UnknownType_FailsWithTheServerMessage()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.DeploySlugAsync(app);

        var result = await fixture.Aka.RunAsync("ps:restart", "nope", "-a", app);

        Assert.Equal($"! {app} has no process type or process 'nope'.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
        await fixture.Api.DestroyAppAsync(app);
    }

    [Fact]
    public async Task Logs_ShowTheAppsOutputAndNLimitsTheLines()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.DeploySlugAsync(app, new() { ["web"] = "echo hello from $DYNO; echo second line; exec " + SlipwayApi.StaticWeb });

        var result = await LogsUntilAsync(app, "second line");

        var lines = result.Out.TrimEnd('\n').Split('\n');
        Assert.Contains(lines, l => LogLine().Match(l) is { Success: true } m && m.Groups["source"].Value == "app[web.1]" && m.Groups["text"].Value == "hello from web.1");
        Assert.All(lines, l => Assert.Matches(LogLine(), l));
        Assert.Equal(0, result.ExitCode);

        var one = await fixture.Aka.RunAsync("logs", "-a", app, "-n", "1");

        Assert.Single(one.Out.TrimEnd('\n').Split('\n'));
        Assert.Equal(lines[^1], one.Out.TrimEnd('\n'));
        await fixture.Api.DestroyAppAsync(app);
    }

    [Fact]
    public async Task LogsTail_FollowsUntilCancelled()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.DeploySlugAsync(app, new() { ["web"] = "echo tailed line; exec " + SlipwayApi.StaticWeb });
        await LogsUntilAsync(app, "tailed line");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var output = new WatchedWriter("tailed line", cancel);

        var exitCode = await fixture.Aka.RunAsync(output, cancel.Token, "logs", "-a", app, "--tail");

        Assert.Equal(0, exitCode);
        Assert.Contains("app[web.1]: tailed line", output.ToString());
        await fixture.Api.DestroyAppAsync(app);
    }

    [Fact]
    public async Task ReleasesOutput_FailingReleasePhase_PrintsItsOutputAndExitCode()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.DeploySlugAsync(app);
        var (_, release) = await fixture.Api.DeploySlugAsync(app, new Dictionary<string, string> { ["web"] = SlipwayApi.StaticWeb, ["release"] = "echo migrating; exit 3" });
        Assert.Equal("failed", release.Status);

        var result = await fixture.Aka.RunAsync("releases:output", "v2", "-a", app);

        Assert.Equal("=== v2 release phase: exit code 3\nmigrating\n", result.Out);
        Assert.Equal(0, result.ExitCode);
        await fixture.Api.DestroyAppAsync(app);
    }

    [Fact]
    public async Task ReleasesOutput_ReleaseWithoutReleasePhase_SaysSo()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.DeploySlugAsync(app);

        var result = await fixture.Aka.RunAsync("releases:output", "v1", "-a", app);

        Assert.Equal("v1 has no release phase.\n", result.Out);
        Assert.Equal(0, result.ExitCode);
        await fixture.Api.DestroyAppAsync(app);
    }

    private static string PsLine(Slipway.Contracts.DynoResponse dyno, DateTimeOffset now) => Slipway.Cli.Commands.PsCommand.Line(dyno, now);

    /// <summary>Runs <c>aka logs</c> until the line has reached the app's log store (processes write to it in the background).</summary>
    private Task<AkaResult> LogsUntilAsync(string app, string text) => Poll.UntilAsync(
        () => fixture.Aka.RunAsync("logs", "-a", app),
        result => result.Out.Contains(": " + text + "\n", StringComparison.Ordinal),
        result => $"'{text}' never reached the log of {app}: {result.Out}{result.Error}",
        TimeSpan.FromSeconds(60));

    [GeneratedRegex(@"^(?<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00) (?<source>\S+): (?<text>.*)$")]
    private static partial Regex LogLine();

    /// <summary>Captures what aka writes and cancels the run once <paramref name="text"/> has been written, as Ctrl-C would.</summary>
    private sealed class WatchedWriter(string text, CancellationTokenSource cancel) : StringWriter
    {
        public override void Flush()
        {
            base.Flush();
            if (ToString().Contains(text, StringComparison.Ordinal))
            {
                cancel.Cancel();
            }
        }
    }
}
