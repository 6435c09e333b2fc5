using Microsoft.Extensions.DependencyInjection;
using Slipway.Server.Data;

namespace Slipway.Server.Tests.Data;

/// <summary>Work leases in the shared database: what one server holds, another is refused until it lapses or is let go.</summary>
public sealed class LeasesTests(PostgresServer postgres)
{
    [Fact]
    public async Task Leases_HeldByOneServer_AreRefusedToAnotherUntilTheyLapse()
    {
        var database = await postgres.CreateDatabaseAsync();
        try
        {
            await using var a = await SlipwayTestServer.StartAsync(Database.Postgres, postgres, [], database);
            await using var b = await SlipwayTestServer.StartAsync(Database.Postgres, postgres, [], database);
            var leasesA = a.Services.GetRequiredService<Leases>();
            var leasesB = b.Services.GetRequiredService<Leases>();
            var ct = TestContext.Current.CancellationToken;

            Assert.True(await leasesA.TryClaimAsync(Slipway.Server.AutoDeploy.GitPoller.LeaseScope, TimeSpan.FromSeconds(2), ct));
            Assert.False(await leasesB.TryClaimAsync(Slipway.Server.AutoDeploy.GitPoller.LeaseScope, TimeSpan.FromSeconds(2), ct));
            Assert.True(await leasesA.TryClaimAsync(Slipway.Server.AutoDeploy.GitPoller.LeaseScope, TimeSpan.FromSeconds(2), ct));
            await Poll.UntilAsync(() => leasesB.TryClaimAsync(Slipway.Server.AutoDeploy.GitPoller.LeaseScope, TimeSpan.FromSeconds(60), ct), "the lease to lapse and pass to the other server");
            Assert.False(await leasesA.TryClaimAsync(Slipway.Server.AutoDeploy.GitPoller.LeaseScope, TimeSpan.FromSeconds(2), ct));

            await using (var held = await leasesA.TryHoldAsync("deploy:test", TimeSpan.FromSeconds(30), ct))
            {
                Assert.NotNull(held);
                Assert.Null(await leasesB.TryHoldAsync("deploy:test", TimeSpan.FromSeconds(30), ct));
            }

            await using var afterRelease = await leasesB.TryHoldAsync("deploy:test", TimeSpan.FromSeconds(30), ct);
            Assert.NotNull(afterRelease);
        }
        finally
        {
            await postgres.DropDatabaseAsync(database);
        }
    }
}
