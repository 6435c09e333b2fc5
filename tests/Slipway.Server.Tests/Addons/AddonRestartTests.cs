using System.Net;
using Slipway.Contracts;

namespace Slipway.Server.Tests.Addons;

public sealed class AddonRestartTests
{
    [Fact]
    public async Task Provision_InterruptedByShutdown_IsResumedByNextStart()
    {
        await using var broker = await TestBroker.StartAsync();
        var dataDir = Directory.CreateTempSubdirectory("slipway-restart-").FullName;
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["Slipway:DataDir"] = dataDir,
                ["Slipway:Addons:Brokers:test:Url"] = broker.Url.ToString(),
                ["Slipway:Addons:Brokers:test:Username"] = TestBroker.Username,
                ["Slipway:Addons:Brokers:test:Password"] = TestBroker.Password,
                ["Slipway:Addons:PollInterval"] = "00:00:00.05",
                ["Slipway:Addons:RequestWait"] = "00:00:00",
            };
            AppResponse app;
            AddonResponse pending;
            await using (var first = await SlipwayTestServer.StartAsync(settings: settings))
            {
                using var api = first.Api();
                app = await api.CreateAppAsync();
                pending = await SlipwayApi.ReadAsync<AddonResponse>(await api.PostAddonAsync(app.Name, "testdb:hold"), HttpStatusCode.Accepted);
            }

            broker.Release(pending.Id);
            await using var second = await SlipwayTestServer.StartAsync(settings: settings);
            using var again = second.Api();

            var done = await again.WaitForAddonAsync(app.Name, pending.Id, a => a?.State != "provisioning");

            Assert.Equal("provisioned", done!.State);
            Assert.Equal($"Attach {pending.Name} add-on", Assert.Single(await again.ListReleasesAsync(app.Name)).Description);
            Assert.True(broker.Holds(pending.Id));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
