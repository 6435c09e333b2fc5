using System.Net;
using Slipway.Contracts;

namespace Slipway.Server.Tests.Runtime;

/// <summary>The database is the truth: a server started again (after SIGKILL too) runs what it says, once, and nothing older.</summary>
public sealed class ReconcileTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("slipway-reconcile-").FullName;

    [Fact]
    public async Task Server_KilledAndStartedAgain_RunsCurrentFormationOnceWithNoLeftovers()
    {
        int apiPort = ServerProcess.FreePort(), routerPort = ServerProcess.FreePort();
        await using var first = await ServerProcess.StartAsync(_dataDir, apiPort, routerPort);
        var app = await RuntimeApp.CreateAsync(first.Api(), routerPort);
        var version = await app.DeploySucceededAsync(await app.UploadSlugAsync("A", new() { ["web"] = TestSlug.Command(), ["worker"] = TestSlug.Command("worker") }));
        Assert.Equal(HttpStatusCode.OK, (await app.PatchFormationAsync(new FormationPatchRequest([new FormationUpdate("web", 2, null), new FormationUpdate("worker", 1, null)], null))).StatusCode);
        await Poll.UntilAsync(() => AppProcesses.Groups(app.Key).Count == 3, "2 web + 1 worker running");

        // Each has printed what it prints at start: a process that writes to its pipe after the server died would die of it.
        await Poll.UntilAsync(
            async () => await app.LogsAsync() is var logs && logs.Contains("app[worker.1]: worker worker.1 running", StringComparison.Ordinal) && logs.Contains("app[web.2]: listening on", StringComparison.Ordinal),
            "the processes to print their start-up lines");
        var before = AppProcesses.Groups(app.Key);

        await first.KillAsync();

        var survivors = AppProcesses.Groups(app.Key);
        Assert.True(before.SetEquals(survivors), $"before the kill: {string.Join(", ", before)}; after: {string.Join(", ", survivors)}; processes: {Describe(app.Key)}");
        await using var second = await ServerProcess.StartAsync(_dataDir, apiPort, routerPort);
        var again = RuntimeApp.ForExisting(second.Api(), routerPort, app.Key);
        await again.ServesAsync($"v{version} slug=A");
        await Poll.UntilAsync(async () => (await again.DynosAsync()).Count(d => d.State == "up") == 3, "3 processes up again");
        var after = AppProcesses.Groups(app.Key);
        Assert.Equal(3, after.Count);
        Assert.False(after.Overlaps(before), "a process of the killed server's run is still there");
        Assert.Equal(["web.1", "web.2", "worker.1"], (await again.DynosAsync()).Select(d => d.Name));

        Assert.Equal(0, await second.StopAsync(TimeSpan.FromSeconds(30)));
        Assert.Empty(AppProcesses.Of(app.Key));
    }

    [Fact]
    public async Task Server_StartedAgainWithPendingRelease_DeploysIt()
    {
        int apiPort = ServerProcess.FreePort(), routerPort = ServerProcess.FreePort();
        string key;
        int pending;
        await using (var first = await ServerProcess.StartAsync(_dataDir, apiPort, routerPort))
        {
            var app = await RuntimeApp.CreateAsync(first.Api(), routerPort);
            key = app.Key;
            await app.DeploySucceededAsync(await app.UploadSlugAsync("A", new() { ["web"] = TestSlug.Command() }));
            Assert.Equal(HttpStatusCode.OK, (await app.PatchFormationAsync(new FormationPatchRequest(null, BootTimeout: 30))).StatusCode);

            // A release phase that outlives the server: the release is still pending when the server dies.
            var slow = await app.UploadSlugAsync("B", new() { ["web"] = TestSlug.Command(), ["release"] = "sleep 300" });
            pending = (await app.DeployAsync(slow)).Version;
            await Poll.UntilAsync(() => AppProcesses.Groups(key).Count == 2, "the release phase to run next to web.1");
            await first.KillAsync();
        }

        await using var second = await ServerProcess.StartAsync(_dataDir, apiPort, routerPort);
        var again = RuntimeApp.ForExisting(second.Api(), routerPort, key);
        var settled = await again.SettledAsync(pending, TimeSpan.FromSeconds(40));
        Assert.Equal("failed", settled.Status);
        Assert.Contains("The release phase did not finish within 10 s", settled.FailureReason, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync()).Status);
        await again.DestroyAsync();
        Assert.Equal(0, await second.StopAsync(TimeSpan.FromSeconds(30)));
    }

    private static string Describe(string key) => string.Join("; ", AppProcesses.Of(key).Select(p =>
        $"{p.Pid}/{p.Pgid} {File.ReadAllText($"/proc/{p.Pid}/cmdline").Replace('\0', ' ')}"));

    /// <summary>Even when a test failed half-way, no app process of this data folder outlives it.</summary>
    public void Dispose()
    {
        var id = Path.Combine(_dataDir, "runtime", "id");
        if (File.Exists(id))
        {
            foreach (var pgid in Slipway.Server.Runtime.ProcessGroups.WithEnvironment(Slipway.Server.Runtime.ProcessRegistry.EnvironmentVariable, File.ReadAllText(id).Trim()))
            {
                Slipway.Server.Runtime.ProcessGroups.TerminateAsync(pgid, TimeSpan.FromSeconds(1), TimeProvider.System).GetAwaiter().GetResult();
            }
        }

        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
