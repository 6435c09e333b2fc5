using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Slipway.Contracts;
using Slipway.Server.Slugs;
using Slipway.Server.Tests.Builds;
using Slipway.Server.Tests.Collector;
using Slipway.Server.Tests.Runtime;

namespace Slipway.Server.Tests.Apps;

/// <summary>Destroying an app leaves nothing of it on disk, but keeps slug bytes another app's slug still claims.</summary>
public abstract class DestroyTests(CollectorServerFixture fixture)
{
    private readonly SlipwayApi _api = fixture.Api;

    [Fact]
    public async Task Destroy_AppThatBuiltAndRan_LeavesNothingOfItInTheDataFolder()
    {
        var space = await _api.CreateSpaceAsync(SlipwayApi.Unique("ds"));
        var app = await _api.CreateAppAsync(space.Name, SlipwayApi.Unique("a"));
        var other = await _api.CreateAppAsync(space.Name, SlipwayApi.Unique("b"));
        var buildpack = fixture.Server.WriteBuildpack(new Dictionary<string, string>
        {
            ["detect"] = "echo Cached",
            ["compile"] = """echo cached > "$2/marker"; echo "compiled" """,
        });
        await _api.SetConfigAsync(app.Name, new Dictionary<string, string> { ["BUILDPACK_URL"] = buildpack });
        var source = await SlipwayApi.ReadAsync<SourceResponse>(await _api.Http.PostAsync("/sources", null), HttpStatusCode.Created);
        var archive = Archives.TarGz([new ArchiveFile("Procfile", $"web: {SlipwayApi.StaticWeb}\n"), new ArchiveFile("id.txt", SlipwayApi.Unique())]);
        await SlipwayApi.ReadAsync<SourceResponse>(await _api.Http.PutAsync(source.SourceBlob.PutUrl, new ByteArrayContent(archive)), HttpStatusCode.OK);
        var (build, output) = await _api.BuildAsync(app.Name, source.SourceBlob.GetUrl);
        Assert.True(build.Status == "succeeded", output);
        Assert.Equal("succeeded", (await _api.SettledAsync(app.Name, build.Release!.Version)).Status);

        // The other app runs a slug with the very same bytes: they are shared by checksum.
        var digest = (await _api.GetSlugAsync(build.Slug!.Id)).Checksum["SHA256:".Length..];
        var bytes = await SlugBytesAsync(digest);
        var shared = await _api.UploadSlugAsync(other.Name, bytes, new Dictionary<string, string> { ["web"] = SlipwayApi.StaticWeb });
        Assert.Equal("succeeded", (await _api.SettledAsync(other.Name, await _api.DeployAsync(other.Name, shared.Id))).Status);
        string[] ofApp = [app.Id.ToString("N"), app.Id.ToString(), app.Name, source.Id.ToString("N"), source.Id.ToString()];
        var before = fixture.FindOnDisk(ofApp);
        Assert.Contains(Path.Combine("builds", "cache", app.Id.ToString("N"), "marker"), before);
        Assert.Contains(Path.Combine("runtime", "home", app.Name), before);
        Assert.Contains(Path.Combine("sources", source.Id.ToString("N") + ".archive"), before);
        Assert.Contains(Path.Combine("runtime", "slugs", digest), fixture.FindOnDisk(digest));

        await _api.DestroyAppAsync(app.Name);

        Assert.Empty(fixture.FindOnDisk(ofApp));
        Assert.Empty(AppProcesses.Of(app.Name));
        Assert.Equal(HttpStatusCode.NotFound, (await _api.Http.GetAsync($"/slugs/{build.Slug.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.Http.GetAsync($"/sources/{source.Id}")).StatusCode);
        Assert.Contains(Path.Combine("runtime", "slugs", digest), fixture.FindOnDisk(digest));
        Assert.True(await Store.ExistsAsync(digest, TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.OK, (await _api.Http.GetAsync($"/slugs/{shared.Id}")).StatusCode);

        await _api.DestroyAppAsync(other.Name);

        Assert.Empty(fixture.FindOnDisk([digest, other.Id.ToString("N"), other.Name]));
        Assert.False(await Store.ExistsAsync(digest, TestContext.Current.CancellationToken));
    }

    private ISlugStore Store => fixture.Server.Services.GetRequiredService<ISlugStore>();

    private async Task<byte[]> SlugBytesAsync(string digest)
    {
        await using var content = await Store.OpenReadAsync(digest, TestContext.Current.CancellationToken);
        using var copy = new MemoryStream();
        await content.CopyToAsync(copy, TestContext.Current.CancellationToken);
        return copy.ToArray();
    }
}

public sealed class SqliteDestroyTests(CollectorServerFixture fixture) : DestroyTests(fixture), IClassFixture<CollectorServerFixture>;

public sealed class PostgresDestroyTests(PostgresCollectorServerFixture fixture) : DestroyTests(fixture), IClassFixture<PostgresCollectorServerFixture>;
