using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Slipway.Server.Addons;

namespace Slipway.Server.Tests.Addons;

public sealed class CatalogCacheTests
{
    [Fact]
    public async Task Catalog_IsCachedUntilTtlThenRefreshedAndServedStaleWhenBrokerFails()
    {
        await using var testBroker = await TestBroker.StartAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var cache = new CatalogCache(clock, Options.Create(new AddonOptions { CatalogTtl = TimeSpan.FromMinutes(5) }));
        var osb = new OsbClient(new HttpClient(), Options.Create(new AddonOptions()));
        var broker = new Broker("t", testBroker.Url, TestBroker.Username, TestBroker.Password, BrokerSource.Configuration);
        int PlanCount(OsbCatalog catalog) => catalog.Services![0].Plans!.Count;

        var first = await cache.GetAsync(broker, osb, CancellationToken.None);
        testBroker.ExtraPlans.Enqueue("new");
        var cached = await cache.GetAsync(broker, osb, CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(6));
        var refreshed = await cache.GetAsync(broker, osb, CancellationToken.None);
        testBroker.FailCatalog = true;
        clock.Advance(TimeSpan.FromMinutes(6));
        var stale = await cache.GetAsync(broker, osb, CancellationToken.None);

        Assert.Equal(TestBroker.Plans.Length, PlanCount(first));
        Assert.Equal(TestBroker.Plans.Length, PlanCount(cached));
        Assert.Equal(TestBroker.Plans.Length + 1, PlanCount(refreshed));
        Assert.Same(refreshed, stale);
        Assert.Contains("catalog store offline", cache.StatusOf(broker).Error);
        Assert.Equal(3, testBroker.Requests.Count(r => r == "GET /v2/catalog"));
    }
}
