namespace Slipway.Server.Tests.Hooks;

/// <summary>Two servers on one PostgreSQL database, both sending the one outbox: each event is delivered once.</summary>
public sealed class HooksMultiServerTests(PostgresServer postgres)
{
    [Fact]
    public async Task TwoServers_OneOutbox_DeliverEachEventOnce()
    {
        await using var receiver = await HookReceiver.StartAsync();
        var url = receiver.Url();
        var database = await postgres.CreateDatabaseAsync();
        try
        {
            await using var first = await SlipwayTestServer.StartAsync(Database.Postgres, postgres, HooksServerFixture.HookSettings, sharedConnectionString: database);
            await using var second = await SlipwayTestServer.StartAsync(Database.Postgres, postgres, HooksServerFixture.HookSettings, sharedConnectionString: database);
            using var a = first.Api();
            using var b = second.Api();
            var app = (await a.CreateAppAsync()).Name;
            var hook = await a.CreateHookAsync(app, url, "shared-secret", "config_change");

            for (var i = 0; i < 6; i++)
            {
                await (i % 2 == 0 ? a : b).ChangeConfigAsync(app, new Dictionary<string, string> { ["N"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            }

            var results = await Poll.UntilAsync(() => b.HookResultsAsync(app, hook.Id), r => r.Count(x => x.DeliveryState == "delivered") >= 6, r => $"{r.Count} results");

            Assert.Equal(6, results.Count);
            Assert.Equal(6, results.Select(r => r.DeliveryId).Distinct().Count());
            Assert.All(results, r => Assert.Equal(1, r.Attempt));
            var received = receiver.At(url);
            Assert.Equal(6, received.Count);
            Assert.Equal(6, received.Select(r => r.Headers["x-slipway-delivery"]).Distinct().Count());
            Assert.All(received, r => Assert.True(r.SignedWith("shared-secret")));
        }
        finally
        {
            await postgres.DropDatabaseAsync(database);
        }
    }
}
