using System.Net;
using Slipway.Contracts;

namespace Slipway.Server.Tests.Runtime;

/// <summary>Formation, dynos, crashes and restarts of running apps.</summary>
public sealed class ProcessTests(RuntimeServerFixture fixture) : IClassFixture<RuntimeServerFixture>
{
    /// <summary>A web process, a worker and a process type that exits at once (scaled to 0 until a test scales it).</summary>
    internal static readonly Dictionary<string, string> WebAndWorkers = new()
    {
        ["web"] = TestSlug.Command(),
        ["worker"] = TestSlug.Command("worker"),
        ["crasher"] = TestSlug.Command("exit"),
    };

    [Fact]
    public async Task Formation_ScaleUpAndDown_ChangesRunningProcessesWithoutARelease()
    {
        await using var app = await fixture.CreateAppAsync();
        var version = await app.DeploySucceededAsync(await app.UploadSlugAsync("A", WebAndWorkers));
        Assert.Equal([("web", 1), ("crasher", 0), ("worker", 0)], (await app.FormationAsync()).Select(f => (f.Type, f.Quantity)));

        var up = await app.PatchFormationAsync(new FormationPatchRequest([new FormationUpdate("web", 3, null), new FormationUpdate("worker", 1, null)], null));

        Assert.Equal(HttpStatusCode.OK, up.StatusCode);
        await Poll.UntilAsync(async () => (await app.DynosAsync()).Count(d => d.State == "up") == 4, "3 web + 1 worker up");
        Assert.Equal(["web.1", "web.2", "web.3", "worker.1"], (await app.DynosAsync()).Select(d => d.Name));
        Assert.Equal(4, AppProcesses.Groups(app.Key).Count);
        var answered = new HashSet<string>();
        for (var i = 0; i < 12; i++)
        {
            answered.Add((await app.GetAsync()).Body.Trim().Split("dyno=")[1]);
        }

        Assert.Equal(["web.1", "web.2", "web.3"], answered.Order());

        var down = await app.PatchFormationAsync(new FormationPatchRequest([new FormationUpdate("web", 1, null), new FormationUpdate("worker", 0, null)], null));

        Assert.Equal(HttpStatusCode.OK, down.StatusCode);
        await Poll.UntilAsync(() => AppProcesses.Groups(app.Key).Count == 1, "one process left");
        Assert.Equal(["web.1"], (await app.DynosAsync()).Select(d => d.Name));
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync()).Status);
        Assert.True((await app.ReleaseAsync(version)).Current);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Api.GetAsync($"/apps/{app.Key}/releases/{version + 1}", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Formation_UnknownTypeOrTooMany_IsRefused()
    {
        await using var app = await fixture.CreateAppAsync();
        var before = await app.PatchFormationAsync(new FormationPatchRequest([new FormationUpdate("web", 2, null)], null));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, before.StatusCode);
        await app.DeploySucceededAsync(await app.UploadSlugAsync("A", new() { ["web"] = TestSlug.Command(), ["release"] = TestSlug.Command("release-ok") }));

        var unknown = await app.PatchFormationAsync(new FormationPatchRequest([new FormationUpdate("worker", 1, null)], null));
        var release = await app.PatchFormationAsync(new FormationPatchRequest([new FormationUpdate("release", 1, null)], null));
        var tooMany = await app.PatchFormationAsync(new FormationPatchRequest([new FormationUpdate("web", 1000, null)], null));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
        Assert.Contains("has no process type 'worker' (it has: web)", await unknown.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, release.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooMany.StatusCode);
        Assert.Equal([("web", 1)], (await app.FormationAsync()).Select(f => (f.Type, f.Quantity)));
    }

    [Fact]
    public async Task Dyno_Crash_IsRestartedAndServesAgain()
    {
        await using var app = await fixture.CreateAppAsync();
        var version = await app.DeploySucceededAsync(await app.UploadSlugAsync("A", WebAndWorkers));
        var before = AppProcesses.Groups(app.Key);

        await app.GetAsync("/crash");

        await Poll.UntilAsync(async () => (await app.DynosAsync()) is [{ State: "up", Restarts: 1 }], "web.1 restarted and up");
        Assert.Equal($"v{version} slug=A greeting= dyno=web.1\n", await app.ServesAsync($"v{version}"));
        Assert.Empty(AppProcesses.Groups(app.Key).Intersect(before));
        var logs = await app.LogsAsync();
        Assert.Contains("slipway[web.1]: Process exited with status 1", logs, StringComparison.Ordinal);
        Assert.Contains("slipway[web.1]: State changed from up to crashed", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dyno_KeepsCrashing_IsShownCrashedSinceItsFirstCrash()
    {
        await using var app = await fixture.CreateAppAsync();
        var version = await app.DeploySucceededAsync(await app.UploadSlugAsync("A", WebAndWorkers));

        Assert.Equal(HttpStatusCode.OK, (await app.PatchFormationAsync(new FormationPatchRequest([new FormationUpdate("crasher", 1, null)], null))).StatusCode);

        DynoResponse? first = null;
        await Poll.UntilAsync(async () => (first = (await app.DynosAsync()).SingleOrDefault(d => d.Name == "crasher.1")) is { State: "crashed", Restarts: >= 1 }, "crasher.1 crashed and restarted");
        DynoResponse? later = null;
        await Poll.UntilAsync(async () => (later = (await app.DynosAsync()).Single(d => d.Name == "crasher.1")).Restarts >= first!.Restarts + 2, "crasher.1 restarted again");
        Assert.Equal("crashed", later!.State);
        Assert.Equal(first!.Since, later.Since);
        Assert.Equal($"v{version} slug=A greeting= dyno=web.1\n", (await app.GetAsync()).Body);
    }

    [Fact]
    public async Task Dynos_Restart_ReplacesProcessesAndKeepsServing()
    {
        await using var app = await fixture.CreateAppAsync();
        var version = await app.DeploySucceededAsync(await app.UploadSlugAsync("A", WebAndWorkers));
        var before = AppProcesses.Groups(app.Key);

        var restart = await app.Api.DeleteAsync($"/apps/{app.Key}/dynos/web", TestContext.Current.CancellationToken);
        var unknown = await app.Api.DeleteAsync($"/apps/{app.Key}/dynos/nosuch", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, restart.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        await Poll.UntilAsync(() => AppProcesses.Groups(app.Key) is { Count: 1 } now && !now.Overlaps(before), "web.1 replaced");
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync()).Status);
        Assert.Equal([("web.1", "up", version)], (await app.DynosAsync()).Select(d => (d.Name, d.State, d.ReleaseVersion)));
        Assert.Equal(HttpStatusCode.Accepted, (await app.Api.DeleteAsync($"/apps/{app.Key}/dynos", TestContext.Current.CancellationToken)).StatusCode);
    }
}
