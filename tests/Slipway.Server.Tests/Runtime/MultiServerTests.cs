using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Slipway.Contracts;
using Slipway.Server.Data;
using Slipway.Server.Runtime;
using Slipway.Server.Tests.Slugs;

namespace Slipway.Server.Tests.Runtime;

/// <summary>
/// Several Slipway servers on one real PostgreSQL, with slugs in a shared S3-compatible store:
/// each release is deployed by exactly one of them, and one that dies mid-deploy is taken over.
/// </summary>
public sealed partial class MultiServerTests(PostgresServer postgres, S3rverServer s3) : IClassFixture<S3rverServer>
{
    private const string SlowWeb = "sleep 4 && exec python3 -m http.server --bind 127.0.0.1 $PORT";

    [Fact]
    public async Task TwoServers_OneStreamOfChanges_DeployEachReleaseExactlyOnce()
    {
        var database = await postgres.CreateDatabaseAsync();
        try
        {
            await using var a = await SlipwayTestServer.StartAsync(Database.Postgres, postgres, Settings(), database);
            await using var b = await SlipwayTestServer.StartAsync(Database.Postgres, postgres, Settings(), database);
            using var apiA = a.Api();
            using var apiB = b.Api();
            var app = await apiA.CreateAppAsync();
            var slug = await apiA.CreateSlugAsync(app.Name);
            await apiB.DeployAsync(app.Name, slug.Id);

            var changes = Enumerable.Range(1, 12).Select(i => (i % 2 == 0 ? apiA : apiB).PatchConfigAsync(app.Name, new Dictionary<string, string> { ["N"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) })).ToList();
            Assert.All(await Task.WhenAll(changes), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            var releases = await SettledAsync(apiA, app.Name, 13);

            Assert.Equal(Enumerable.Range(1, 13), releases.Select(r => r.Version));
            Assert.All(releases, r => Assert.Equal("succeeded", r.Status));
            var deploys = (await DeployLinesAsync(a, app.Name)).Concat(await DeployLinesAsync(b, app.Name)).ToList();
            Assert.Equal(Enumerable.Range(1, 13), deploys.Order());
            await apiA.Http.DeleteAsync($"/apps/{app.Name}?confirm={app.Name}");
        }
        finally
        {
            await postgres.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task ServerKilledMidDeploy_OtherServerTakesTheReleaseOverAndFinishesIt()
    {
        var database = await postgres.CreateDatabaseAsync();
        var dataDir = Directory.CreateTempSubdirectory("slipway-dying-").FullName;
        string? appKey = null;
        try
        {
            await using var survivor = await SlipwayTestServer.StartAsync(Database.Postgres, postgres, Settings(), database);
            using var api = survivor.Api();
            var app = await api.CreateAppAsync();
            appKey = app.Name;
            var slug = await api.CreateSlugAsync(app.Name, processTypes: new() { ["web"] = SlowWeb });

            await using (var dying = await ServerProcess.StartAsync(dataDir, ServerProcess.FreePort(), ServerProcess.FreePort(), Settings(database)))
            {
                using var client = dying.Client();
                var posted = await client.PostAsJsonAsync($"/apps/{app.Name}/releases", new { slug = slug.Id.ToString() }, SlipwayJson.Options);
                var release = await SlipwayApi.ReadAsync<ReleaseResponse>(posted, HttpStatusCode.Created);
                await Poll.UntilAsync(
                    async () => (await LeaseHolderAsync(survivor, app.Id))?.Contains($"/{dying.Pid}/", StringComparison.Ordinal) == true,
                    "the server about to die to own the app (the claim on its deploy)");
                Assert.Equal("pending", (await api.GetReleaseAsync(app.Name, release.Id.ToString())).Status);

                await dying.KillAsync();

                var finished = await api.SettledAsync(app.Name, release);
                Assert.Equal("succeeded", finished.Status);
                Assert.True(finished.Current);
            }

            await api.Http.DeleteAsync($"/apps/{app.Name}?confirm={app.Name}");
        }
        finally
        {
            if (appKey is not null)
            {
                // What the killed server had started is nobody's now.
                foreach (var group in AppProcesses.Groups(appKey))
                {
                    ProcessGroups.Signal(group, ProcessGroups.SigKill);
                }
            }

            await postgres.DropDatabaseAsync(database);
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task PendingBuilds_OfAServerThatIsGone_FailAndThoseOfALiveServerDoNot()
    {
        var database = await postgres.CreateDatabaseAsync();
        try
        {
            await using var a = await SlipwayTestServer.StartAsync(Database.Postgres, postgres, Settings(), database);
            await using var b = await SlipwayTestServer.StartAsync(Database.Postgres, postgres, Settings(), database);
            using var api = a.Api();
            var app = await api.CreateAppAsync();
            Guid orphanId, ownedId;
            await using (var scope = a.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<SlipwayDb>();
                var admin = await db.Users.FirstAsync(u => u.IsAdmin);
                var now = a.Services.GetRequiredService<TimeProvider>().GetUtcNow();
                var source = new Slipway.Server.Builds.BuildSource("https://example.invalid/app.tar.gz", null, null, null, null, null, null, null, null);
                var orphan = Slipway.Server.Builds.Build.Create(app.Id, source, Slipway.Server.Builds.BuildDeploy.None, admin.Id, "a-server-that-died", now);
                var owned = Slipway.Server.Builds.Build.Create(app.Id, source, Slipway.Server.Builds.BuildDeploy.None, admin.Id, b.Services.GetRequiredService<ServerIdentity>().Id, now);
                db.Builds.AddRange(orphan, owned);
                await db.SaveChangesAsync();
                (orphanId, ownedId) = (orphan.Id, owned.Id);
            }

            await Poll.UntilAsync(async () => (await api.GetBuildAsync(app.Name, orphanId.ToString())).Status == "failed", "the orphaned build to be failed");

            Assert.Equal("The server stopped before this build finished.", (await api.GetBuildAsync(app.Name, orphanId.ToString())).FailureReason);
            Assert.Equal("pending", (await api.GetBuildAsync(app.Name, ownedId.ToString())).Status);
        }
        finally
        {
            await postgres.DropDatabaseAsync(database);
        }
    }

    private Dictionary<string, string?> Settings(string? database = null)
    {
        var settings = new Dictionary<string, string?>(s3.SlipwaySettings("multi/"))
        {
            ["Slipway:Runtime:LeaseSeconds"] = "3",
            ["Slipway:Runtime:ClaimScanSeconds"] = "1",
            ["Slipway:Runtime:StopGraceSeconds"] = "3",
            ["Slipway:Runtime:BootTimeoutSeconds"] = "30",
        };
        if (database is not null)
        {
            settings["Slipway:Database:Provider"] = "postgres";
            settings["ConnectionStrings:Slipway"] = database;
        }

        return settings;
    }

    private static async Task<string?> LeaseHolderAsync(SlipwayTestServer server, Guid appId)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SlipwayDb>();
        var key = Deployer.OwnerScope(appId);
        return await db.WorkLeases.Where(l => l.Scope == key).Select(l => l.Holder).FirstOrDefaultAsync();
    }

    private static Task<List<ReleaseResponse>> SettledAsync(SlipwayApi api, string app, int count) => Poll.UntilAsync(
        () => api.ListReleasesAsync(app),
        releases => releases.Count == count && releases.All(r => r.Status != "pending"),
        _ => $"{app} still has pending releases.",
        TimeSpan.FromSeconds(120));

    /// <summary>The versions this server deployed, from the app's log on it.</summary>
    private static async Task<List<int>> DeployLinesAsync(SlipwayTestServer server, string app)
    {
        using var client = server.Client();
        var text = await client.GetStringAsync($"/apps/{app}/log-sessions?lines=1500");
        return DeployingLine().Matches(text).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
    }

    [GeneratedRegex(@"slipway\[release\]: Deploying v(\d+):")]
    private static partial Regex DeployingLine();
}
