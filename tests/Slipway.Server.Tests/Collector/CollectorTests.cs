using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Slipway.Contracts;
using Slipway.Server.Collector;
using Slipway.Server.Slugs;

namespace Slipway.Server.Tests.Collector;

/// <summary>
/// The collector removes slugs (rows and bytes) and source uploads that nothing references, once they are
/// older than the grace period, and nothing that a release or build references.
/// </summary>
public abstract class CollectorTests(CollectorServerFixture fixture)
{
    private readonly SlipwayApi _api = fixture.Api;

    private ISlugStore Store => fixture.Server.Services.GetRequiredService<ISlugStore>();

    [Fact]
    public async Task Collector_PastTheGracePeriod_RemovesWhatNothingReferencesAndKeepsWhatReleasesUse()
    {
        var ct = TestContext.Current.CancellationToken;
        var app = await _api.CreateAppAsync();
        var (released, release) = await _api.DeploySlugAsync(app.Name);
        Assert.Equal("succeeded", (await _api.SettledAsync(app.Name, release)).Status);
        var unreleased = await _api.CreateSlugAsync(app.Name);
        var orphan = Archives.Slug(new Dictionary<string, string> { ["index.html"] = SlipwayApi.Unique() });
        var orphanDigest = Archives.Checksum(orphan)["SHA256:".Length..];
        Assert.Equal(SlugPutStatus.Stored, (await Store.PutAsync(orphanDigest, new MemoryStream(orphan), orphan.Length, ct)).Status);
        var source = await SlipwayApi.ReadAsync<SourceResponse>(await _api.Http.PostAsync("/sources", null), HttpStatusCode.Created);
        await SlipwayApi.ReadAsync<SourceResponse>(await _api.Http.PutAsync(source.SourceBlob.PutUrl, new ByteArrayContent(Archives.TarGz([new ArchiveFile("a.txt", "a")]))), HttpStatusCode.OK);

        var early = await fixture.Server.Services.GetRequiredService<Leftovers>().CollectAsync(ct);

        Assert.Equal(new Collected(0, 0, 0, 0), early with { UnpackedSlugs = 0 });
        Assert.Equal(HttpStatusCode.OK, (await _api.Http.GetAsync($"/slugs/{unreleased.Id}", ct)).StatusCode);
        Assert.True(await Store.ExistsAsync(orphanDigest, ct));

        fixture.Clock.Advance(CollectorServerFixture.GracePeriod + TimeSpan.FromMinutes(1));

        await Poll.UntilAsync(
            async () => (await _api.Http.GetAsync($"/slugs/{unreleased.Id}", ct)).StatusCode,
            status => status == HttpStatusCode.NotFound,
            _ => "Timed out waiting for the periodic collector to remove the unreleased slug");
        await Poll.UntilAsync(() => Store.ExistsAsync(orphanDigest, ct), exists => !exists, _ => "Timed out waiting for the collector to remove bytes no slug claims");
        await Poll.UntilAsync(
            async () => (await _api.Http.GetAsync($"/sources/{source.Id}", ct)).StatusCode,
            status => status == HttpStatusCode.NotFound,
            _ => "Timed out waiting for the collector to remove the upload no build read");
        Assert.False(await Store.ExistsAsync(unreleased.Checksum["SHA256:".Length..], ct));
        Assert.Empty(fixture.FindOnDisk(source.Id.ToString("N")));
        Assert.Equal(HttpStatusCode.OK, (await _api.Http.GetAsync($"/slugs/{released.Id}", ct)).StatusCode);
        Assert.True(await Store.ExistsAsync(released.Checksum["SHA256:".Length..], ct));
        Assert.Single(await _api.ListDynosAsync(app.Name), d => d.State == "up");
        await _api.DestroyAppAsync(app.Name);
    }
}

public sealed class SqliteCollectorTests(CollectorServerFixture fixture) : CollectorTests(fixture), IClassFixture<CollectorServerFixture>;

public sealed class PostgresCollectorTests(PostgresCollectorServerFixture fixture) : CollectorTests(fixture), IClassFixture<PostgresCollectorServerFixture>;
