using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Slipway.Server.Builds;
using Slipway.Server.Data;
using Slipway.TestSupport;

namespace Slipway.Server.Tests.Builds;

/// <summary>
/// A build whose job ended without recording how (the database failed it then) would stay pending
/// forever: the engine's periodic scan fails it once it has been quiet for a lease period, while a
/// build that is still queued or running here is left alone however quiet it is.
/// </summary>
public sealed class UnendedBuildTests(ArchiveServer archives) : IClassFixture<ArchiveServer>
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task PendingBuild_NoJobHoldsIt_IsFailedByTheScanButARunningOneIsNot()
    {
        await using var server = await SlipwayTestServer.StartAsync(settings: new Dictionary<string, string?> { ["Slipway:Runtime:LeaseSeconds"] = "2" });
        using var api = server.Api();
        var app = await api.CreateAppAsync();
        var buildpack = server.WriteBuildpack(BuildControlTests.GateBuildpack);
        var gate = BuildControlTests.GateIn(buildpack);
        await api.SetConfigAsync(app.Name, new Dictionary<string, string> { ["BUILDPACK_URL"] = buildpack, ["GATE"] = gate });
        var running = await api.StartBuildAsync(app.Name, archives.Serve(Archives.TarGz([new ArchiveFile("a.txt", SlipwayApi.Unique())])));
        var dbs = server.Services.GetRequiredService<IDbContextFactory<SlipwayDb>>();
        var clock = server.Services.GetRequiredService<TimeProvider>();
        await Poll.UntilAsync(
            async () =>
            {
                await using var db = await dbs.CreateDbContextAsync();
                var updated = await db.Builds.Where(b => b.Id == running.Id).Select(b => b.UpdatedAt).SingleAsync();
                return clock.GetUtcNow() - updated > Lease;
            },
            "the running build to be quiet for longer than a lease");

        Guid orphan;
        await using (var db = await dbs.CreateDbContextAsync())
        {
            var admin = await db.Users.SingleAsync(u => u.Email == "admin@slipway.local");
            var source = new BuildSource("https://example.com/source.tgz", null, null, null, null, null, null, null, null);
            var build = Build.Create(app.Id, source, BuildDeploy.None, admin.Id, server.Services.GetRequiredService<ServerIdentity>().Id, clock.GetUtcNow() - TimeSpan.FromMinutes(1));
            db.Builds.Add(build);
            await db.SaveChangesAsync();
            orphan = build.Id;
        }

        await Poll.UntilAsync(async () => (await api.GetBuildAsync(app.Name, orphan.ToString())).Status != "pending", "the scan to end the build nothing holds");
        var ended = await api.GetBuildAsync(app.Name, orphan.ToString());
        var stillRunning = await api.GetBuildAsync(app.Name, running.Id.ToString());
        File.WriteAllText(gate, "open");
        var (finished, _) = await api.WaitForBuildAsync(running);

        Assert.Equal("failed", ended.Status);
        Assert.Equal("The build ended without its outcome being recorded.", ended.FailureReason);
        Assert.Equal("pending", stillRunning.Status);
        Assert.Equal("succeeded", finished.Status);
    }
}
