using System.Text.RegularExpressions;
using Slipway.Server.Tests.Releases;
using Slipway.Server.Tests.Runtime;

namespace Slipway.Server.Tests.Clients;

/// <summary>
/// The real Heroku CLI (npm <c>heroku</c> 11.10.0) against a real Slipway server: <c>releases</c>,
/// <c>releases:info</c>, <c>rollback</c> and <c>rollback vN</c> print what a Heroku user expects,
/// and a rollback lands where Slipway's own rule says, which the router then serves.
/// </summary>
public sealed partial class HerokuReleasesTests(GatedRuntimeServerFixture fixture) : IClassFixture<GatedRuntimeServerFixture>, IDisposable
{
    private readonly HerokuCli _heroku = new(fixture.Server.BaseAddress, SlipwayTestServer.AdminToken);
    private readonly ReleaseGate _gate = new();

    /// <summary><see cref="TestSlug"/>'s web process and the gate's release phase.</summary>
    private Dictionary<string, string> Gated => _gate.ProcessTypes(TestSlug.Command());

    [Fact]
    public async Task Releases_ListsNewestFirst_WithTheCurrentReleaseInTheHeading()
    {
        await using var app = await fixture.CreateAppAsync();
        await app.DeploySucceededAsync(await app.UploadSlugAsync("A", Gated));
        await app.SettledAsync(await app.SetConfigAsync(new() { ["GREETING"] = "hi" }));
        var failing = await app.DeployAsync(await app.UploadSlugAsync("B", new() { ["web"] = TestSlug.Command("exit") }));
        Assert.Equal("failed", (await app.SettledAsync(failing.Version)).Status);

        var run = await _heroku.RunAsync("releases", "-a", app.Key);

        Assert.True(run.ExitCode == 0, run.Error);
        var lines = run.Out.Split('\n');
        Assert.Equal($"=== {app.Key} Releases - Current: v2", lines[0]);
        var rows = lines.Where(l => VersionRow().IsMatch(l)).ToList();
        Assert.Equal(3, rows.Count);
        Assert.Matches(@"^ v3\s+Deploy [0-9a-f]{8} release command failed\s+admin@slipway\.local\s+\d{4}/\d\d/\d\d ", rows[0]);
        Assert.Matches(@"^ v2\s+Set GREETING config vars\s+admin@slipway\.local\s+", rows[1]);
        Assert.Matches(@"^ v1\s+Deploy [0-9a-f]{8}\s+admin@slipway\.local\s+", rows[2]);
    }

    [Fact]
    public async Task ReleasesInfo_ShowsTheNewestRelease_AndAnOlderOneByVersion()
    {
        await using var app = await fixture.CreateAppAsync();
        await app.DeploySucceededAsync(await app.UploadSlugAsync("A", Gated));
        await app.SettledAsync(await app.SetConfigAsync(new() { ["GREETING"] = "hi" }));

        var newest = await _heroku.RunAsync("releases:info", "-a", app.Key);
        var first = await _heroku.RunAsync("releases:info", "v1", "-a", app.Key);

        Assert.True(newest.ExitCode == 0, newest.Error);
        Assert.StartsWith("=== Release v2\n", newest.Out);
        Assert.Matches(@"\nBy:\s+admin@slipway\.local\n", newest.Out);
        Assert.Matches(@"\nChange:\s+Set GREETING config vars\n", newest.Out);
        Assert.Matches(@"\nEligible for Rollback\?: Yes\n", newest.Out);
        Assert.Contains("\n=== v2 Config vars\n\nGREETING: hi\n", newest.Out);
        Assert.True(first.ExitCode == 0, first.Error);
        Assert.StartsWith("=== Release v1\n", first.Out);
        Assert.Matches(@"\nChange:\s+Deploy [0-9a-f]{8}\n", first.Out);
        Assert.Matches(@"\nEligible for Rollback\?: Yes\n", first.Out);
    }

    [Fact]
    public async Task Rollback_WithoutVersion_GoesToThePreviousReleaseWithCode()
    {
        await using var app = await fixture.CreateAppAsync();
        await app.DeploySucceededAsync(await app.UploadSlugAsync("A", Gated));
        await app.SettledAsync(await app.SetConfigAsync(new() { ["GREETING"] = "hi" }));
        await app.DeploySucceededAsync(await app.UploadSlugAsync("B", Gated));

        var run = await _heroku.RunAsync("rollback", "-a", app.Key);

        AssertRolledBack(run, app.Key, target: 2, made: 4);
        await app.ServesAsync("v4 slug=A greeting=hi dyno");
    }

    [Fact]
    public async Task Rollback_WithoutVersion_WhenTheNewestFailed_GoesToTheReleaseBeforeTheCurrentOne()
    {
        await using var app = await fixture.CreateAppAsync();
        await app.DeploySucceededAsync(await app.UploadSlugAsync("A", Gated));
        await app.DeploySucceededAsync(await app.UploadSlugAsync("B", Gated));
        var failing = await app.DeployAsync(await app.UploadSlugAsync("C", new() { ["web"] = TestSlug.Command("exit") }));
        Assert.Equal("failed", (await app.SettledAsync(failing.Version)).Status);

        var run = await _heroku.RunAsync("rollback", "-a", app.Key);

        AssertRolledBack(run, app.Key, target: 1, made: 4);
        await app.ServesAsync("v4 slug=A greeting= dyno");
    }

    [Fact]
    public async Task Rollback_WithoutVersion_WhileTheNewestIsPending_UndoesThePendingChange()
    {
        await using var app = await fixture.CreateAppAsync();
        await app.DeploySucceededAsync(await app.UploadSlugAsync("A", Gated));
        await app.DeploySucceededAsync(await app.UploadSlugAsync("B", Gated));
        _gate.Close();
        var pending = await app.SetConfigAsync(new() { ["GREETING"] = "new" });

        var run = await _heroku.RunAsync("rollback", "-a", app.Key);

        AssertRolledBack(run, app.Key, target: 2, made: 4);
        Assert.Equal("pending", (await app.ReleaseAsync(pending)).Status);
        _gate.Open();
        Assert.Equal("succeeded", (await app.SettledAsync(4)).Status);
        await app.ServesAsync("v4 slug=B greeting= dyno");
    }

    [Fact]
    public async Task Rollback_ToAVersion_ServesThatReleasesCode()
    {
        await using var app = await fixture.CreateAppAsync();
        await app.DeploySucceededAsync(await app.UploadSlugAsync("A", Gated));
        await app.DeploySucceededAsync(await app.UploadSlugAsync("B", Gated));
        await app.DeploySucceededAsync(await app.UploadSlugAsync("C", Gated));

        var run = await _heroku.RunAsync("rollback", "v1", "-a", app.Key);

        AssertRolledBack(run, app.Key, target: 1, made: 4);
        await app.ServesAsync("v4 slug=A greeting= dyno");
    }

    public void Dispose()
    {
        _heroku.Dispose();
        _gate.Dispose();
    }

    /// <summary>What <c>heroku rollback</c> prints (on stderr, as its spinner and warnings go there), and that it ended well.</summary>
    private static void AssertRolledBack(CliRun run, string app, int target, int made)
    {
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains($"Rolling back {app} to v{target}... done, v{made}\n", run.Error);
        Assert.Contains($"To undo, run: heroku rollback v{made - 1}", run.Error);
    }

    [GeneratedRegex(@"^ v\d+ ")]
    private static partial Regex VersionRow();
}
