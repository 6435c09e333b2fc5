using System.Net;

namespace Slipway.Server.Tests.Releases;

public abstract class ConcurrencyTests(SlipwayServerFixture fixture)
{
    private readonly SlipwayApi _api = fixture.Api;

    [Fact]
    public async Task FiftyConcurrentConfigPatches_MakeVersionsOneToFiftyAndLoseNoChange()
    {
        var app = await _api.CreateAppAsync();
        using var start = new SemaphoreSlim(0);

        var patches = Enumerable.Range(1, 50).Select(async i =>
        {
            using var api = fixture.Server.Api();
            await start.WaitAsync();
            return await api.PatchConfigAsync(app.Name, new Dictionary<string, string> { [$"KEY_{i}"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }).ToList();
        start.Release(50);
        var responses = await Task.WhenAll(patches);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var releases = await _api.ListReleasesAsync(app.Name);
        Assert.Equal(Enumerable.Range(1, 50), releases.Select(r => r.Version));
        Assert.Equal(50, releases.Select(r => r.Id).Distinct().Count());
        Assert.Equal(50, (await _api.GetConfigAsync(app.Name)).Count);
        Assert.All(releases, r => Assert.Equal(r.Version, r.ConfigVarNames.Count));
    }

    [Fact]
    public async Task ConcurrentRetriesWithOneIdempotencyKey_MakeOneRelease()
    {
        var app = await _api.CreateAppAsync();
        var slug = await _api.CreateSlugAsync(app.Name);

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
        {
            using var api = fixture.Server.Api();
            return await api.PostReleaseAsync(app.Name, new { slug = slug.Id.ToString() }, "same-key");
        }));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Single(await _api.ListReleasesAsync(app.Name));
    }
}

public sealed class SqliteConcurrencyTests(SqliteServerFixture fixture) : ConcurrencyTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class PostgresConcurrencyTests(PostgresServerFixture fixture) : ConcurrencyTests(fixture), IClassFixture<PostgresServerFixture>;
