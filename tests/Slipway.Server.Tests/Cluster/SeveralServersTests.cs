using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Slipway.Contracts;
using Slipway.Server.Data;
using Slipway.Server.Routing;
using Slipway.Server.Runtime;
using Slipway.Server.Tests.Runtime;

namespace Slipway.Server.Tests.Cluster;

/// <summary>
/// Several servers with the local runtime on one real PostgreSQL (slugs in a shared S3-compatible store):
/// each app runs on its owner, every server's router serves it, follows each release whoever made it and
/// never goes back to an older one; a server started again runs nothing a live peer runs, and a peer
/// takes the apps of a server that stopped for good.
/// </summary>
public sealed class SeveralServersTests(PostgresServer postgres, S3rverServer s3) : IClassFixture<S3rverServer>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task EveryRouter_ServesTheOwnersProcesses_FollowsEachReleaseAndRestartedPeerStartsNothing()
    {
        var database = await postgres.CreateDatabaseAsync();
        SlipwayTestServer? a = null, b = null;
        string? key = null;
        int v1, v2;
        try
        {
            // Routes poll only every 10 minutes here: B learns of A's processes through NOTIFY.
            a = await SlipwayTestServer.StartAsync(Database.Postgres, postgres, Settings(routePollSeconds: 600), database);
            b = await SlipwayTestServer.StartAsync(Database.Postgres, postgres, Settings(routePollSeconds: 600), database);
            using var apiA = a.Api();
            using (var apiB = b.Api())
            {
                var space = await apiA.CreateSpaceAsync(SlipwayApi.Unique("cl"));
                key = (await apiA.CreateAppAsync(space.Name, SlipwayApi.Unique("a"))).Name;
                v1 = await DeploySlugAsync(apiA, key, "A");
                await ServesAsync(a.RouterPort, key, $"v{v1} slug=A");

                await ServesAsync(b.RouterPort, key, $"v{v1} slug=A");
                Assert.All(await RecordsAsync(a, key), r => Assert.Equal(IdOf(a), r.ServerId));

                // A release made through B is deployed by A, the owner, and B's router follows it.
                v2 = await DeploySlugAsync(apiB, key, "B");
                await ServesAsync(b.RouterPort, key, $"v{v2} slug=B");
                await ServesOnlyAsync(b.RouterPort, key, $"v{v2} slug=B", 20);
                Assert.Contains($"Deploying v{v2}:", await apiA.LogsAsync(key));
                Assert.DoesNotContain($"Deploying v{v2}:", await apiB.LogsAsync(key));
                Assert.All(await RecordsAsync(a, key), r => Assert.Equal((IdOf(a), v2), (r.ServerId, r.ReleaseVersion)));
                Assert.Single(AppProcesses.Groups(key));
            }

            // B starts again: it runs nothing of A's app, and its router serves A's processes.
            await b.DisposeAsync();
            b = await SlipwayTestServer.StartAsync(Database.Postgres, postgres, Settings(routePollSeconds: 600), database);
            using var apiB2 = b.Api();
            await ServesAsync(b.RouterPort, key, $"v{v2} slug=B");
            var v3 = await apiB2.ChangeConfigAsync(key, new Dictionary<string, string> { ["GREETING"] = "hi" });
            Assert.Equal("succeeded", (await apiB2.SettledAsync(key, v3, Patience)).Status);
            await ServesAsync(b.RouterPort, key, $"v{v3} slug=B greeting=hi");
            await ServesOnlyAsync(b.RouterPort, key, $"v{v3} slug=B greeting=hi", 20);
            await ServesOnlyAsync(a.RouterPort, key, $"v{v3} slug=B greeting=hi", 5);
            Assert.Single(AppProcesses.Groups(key));
            Assert.All(await RecordsAsync(b, key), r => Assert.Equal(IdOf(a), r.ServerId));

            // A scale made through B reaches A, which runs the processes.
            Assert.Equal(HttpStatusCode.OK, (await apiB2.PatchFormationAsync(key, new FormationPatchRequest([new FormationUpdate("web", 2, null)], null))).StatusCode);
            var aId = IdOf(a);
            await Poll.UntilAsync(async () => (await RecordsAsync(b, key)) is { Count: 2 } both && both.All(r => r.ServerId == aId), "A to run and record 2 web processes", Patience);
            var scaled = AppProcesses.Groups(key);
            Assert.Equal(2, scaled.Count);
            var shown = await apiB2.ListDynosAsync(key);
            Assert.Equal(["web.1", "web.2"], shown.Select(d => d.Name));
            Assert.All(shown, d => Assert.Equal(("up", v3), (d.State, d.ReleaseVersion)));
            await ServesOnlyAsync(b.RouterPort, key, $"v{v3} slug=B greeting=hi", 10);

            // So does a restart: A replaces both processes.
            Assert.Equal(HttpStatusCode.Accepted, (await apiB2.Http.DeleteAsync($"/apps/{key}/dynos")).StatusCode);
            await Poll.UntilAsync(() => AppProcesses.Groups(key) is { Count: 2 } now && !now.Overlaps(scaled), "A to restart both web processes", Patience);
            await ServesAsync(b.RouterPort, key, $"v{v3} slug=B greeting=hi");

            // An app A runs, destroyed through B: A stops its processes.
            var other = (await apiA.CreateAppAsync()).Name;
            await DeploySlugAsync(apiA, other, "O");
            await ServesAsync(b.RouterPort, other, "v1 slug=O");
            Assert.All(await RecordsAsync(b, other), r => Assert.Equal(aId, r.ServerId));
            await apiB2.DestroyAppAsync(other);
            await Poll.UntilAsync(() => AppProcesses.Of(other).Count == 0, "A to stop the processes of the destroyed app", Patience);

            // A stops for good: B takes the app over and serves it from its own process.
            var bId = IdOf(b);
            await a.DisposeAsync();
            a = null;
            await ServesAsync(b.RouterPort, key, $"v{v3} slug=B greeting=hi");
            await Poll.UntilAsync(async () => (await RecordsAsync(b, key)) is { Count: 2 } both && both.All(r => r.ServerId == bId), "B to record its own 2 web processes", Patience);
            Assert.Equal(2, AppProcesses.Groups(key).Count);
            await apiB2.DestroyAppAsync(key);
            Assert.Empty(AppProcesses.Of(key));
        }
        finally
        {
            if (b is not null)
            {
                await b.DisposeAsync();
            }

            if (a is not null)
            {
                await a.DisposeAsync();
            }

            KillAll(key);
            await postgres.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task OwnerKilled_PeerTakesItsAppsOverAndServesThem()
    {
        var database = await postgres.CreateDatabaseAsync();
        var dataDir = Directory.CreateTempSubdirectory("slipway-owner-").FullName;
        string? key = null;
        try
        {
            await using var survivor = await SlipwayTestServer.StartAsync(Database.Postgres, postgres, Settings(), database);
            using var api = survivor.Api();
            await using (var owner = await ServerProcess.StartAsync(dataDir, ServerProcess.FreePort(), ServerProcess.FreePort(), Settings(connectionString: database)))
            {
                using var ownerApi = owner.Api();
                key = (await ownerApi.CreateAppAsync()).Name;
                var v1 = await DeploySlugAsync(ownerApi, key, "K");
                await ServesAsync(survivor.RouterPort, key, $"v{v1} slug=K");
                var before = AppProcesses.Groups(key);
                Assert.Single(before);

                await owner.KillAsync();

                // The killed server's process answers until the survivor's own is up, then goes (stopped here: nobody runs it any more).
                await Poll.UntilAsync(async () => (await RecordsAsync(survivor, key)) is [{ } only] && only.ServerId == IdOf(survivor), "the survivor to run the app", Patience);
                foreach (var group in before)
                {
                    ProcessGroups.Signal(group, ProcessGroups.SigKill);
                }

                await ServesOnlyAsync(survivor.RouterPort, key, $"v{v1} slug=K", 5);
            }

            await api.DestroyAppAsync(key);
        }
        finally
        {
            KillAll(key);
            await postgres.DropDatabaseAsync(database);
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private Dictionary<string, string?> Settings(double routePollSeconds = 1, string? connectionString = null)
    {
        var settings = new Dictionary<string, string?>(s3.SlipwaySettings("cluster/"))
        {
            ["Slipway:Runtime:LeaseSeconds"] = "3",
            ["Slipway:Runtime:ClaimScanSeconds"] = "1",
            ["Slipway:Runtime:StopGraceSeconds"] = "3",
            ["Slipway:Runtime:BootTimeoutSeconds"] = "30",
            ["Slipway:Router:RoutePollSeconds"] = routePollSeconds.ToString(CultureInfo.InvariantCulture),
        };
        if (connectionString is not null)
        {
            settings["Slipway:Database:Provider"] = "postgres";
            settings["ConnectionStrings:Slipway"] = connectionString;
        }

        return settings;
    }

    private static async Task<int> DeploySlugAsync(SlipwayApi api, string app, string mark)
    {
        var slug = await api.UploadSlugAsync(app, TestSlug.Build(mark), new Dictionary<string, string> { ["web"] = TestSlug.Command() });
        var release = await api.CreateReleaseAsync(app, new { slug = slug.Id.ToString() });
        var settled = await api.SettledAsync(app, release.Version, Patience);
        Assert.True(settled.Status == "succeeded", $"v{settled.Version} is {settled.Status}: {settled.FailureReason}");
        return settled.Version;
    }

    private static string IdOf(SlipwayTestServer server) => server.Services.GetRequiredService<ServerIdentity>().Id;

    private static async Task<List<ProcessRecord>> RecordsAsync(SlipwayTestServer server, string appKey)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SlipwayDb>();
        return await db.ProcessRecords.AsNoTracking().Where(r => r.AppKey == appKey).ToListAsync();
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(int routerPort, string appKey)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{routerPort}/");
        request.Headers.Host = $"{appKey}.localhost";
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Waits until the router answers 200 with a body that starts with <paramref name="prefix"/>.</summary>
    private static Task ServesAsync(int routerPort, string appKey, string prefix) => Poll.UntilAsync(
        () => GetAsync(routerPort, appKey),
        answer => answer.Status == HttpStatusCode.OK && answer.Body.StartsWith(prefix, StringComparison.Ordinal),
        answer => $"The router on {routerPort} did not serve '{prefix}' for {appKey} (last: {(int)answer.Status} {answer.Body})",
        Patience);

    /// <summary>Every one of <paramref name="count"/> requests answers from <paramref name="prefix"/>'s release: nothing older comes back.</summary>
    private static async Task ServesOnlyAsync(int routerPort, string appKey, string prefix, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var (status, body) = await GetAsync(routerPort, appKey);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.StartsWith(prefix, body, StringComparison.Ordinal);
        }
    }

    private static void KillAll(string? appKey)
    {
        if (appKey is null)
        {
            return;
        }

        foreach (var group in AppProcesses.Groups(appKey))
        {
            ProcessGroups.Signal(group, ProcessGroups.SigKill);
        }
    }
}
