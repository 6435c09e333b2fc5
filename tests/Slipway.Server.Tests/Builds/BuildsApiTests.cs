using System.Net;
using System.Net.Http.Json;
using Slipway.Contracts;

namespace Slipway.Server.Tests.Builds;

/// <summary>The builds API's shapes and rules, on SQLite and on PostgreSQL, with a Procfile app (no compile).</summary>
public abstract class BuildsApiTests(SlipwayServerFixture fixture, ArchiveServer archives)
{
    private const string Sha = "ef5c71a0c2d1e5f4a3b2c1d0e9f8a7b6c5d4e3f2";

    private readonly SlipwayApi _api = fixture.Api;

    [Fact]
    public async Task Create_HerokuForm_Answers201PendingThenReleasesDeployOfTheBuild()
    {
        var app = await _api.CreateAppAsync();
        var bytes = App();
        var url = archives.Serve(bytes);

        var response = await _api.Http.PostAsJsonAsync($"/apps/{app.Name}/builds", new { source_blob = new { url, checksum = Archives.Checksum(bytes), version = Sha, version_description = "Fix the thing" } });
        var created = await SlipwayApi.ReadAsync<BuildResponse>(response, HttpStatusCode.Created);
        var (build, _) = await _api.WaitForBuildAsync(created);

        Assert.Equal($"/apps/{app.Name}/builds/{created.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal("pending", created.Status);
        Assert.Equal(new NamedRef(app.Id, app.Name), created.App);
        Assert.Equal(new BuildSourceBlob(url, Archives.Checksum(bytes), Sha, Sha, null, "Fix the thing", null, null), created.SourceBlob);
        Assert.StartsWith($"{fixture.Server.BaseAddress}apps/{app.Name}/builds/{created.Id}/output?key=", created.OutputStreamUrl);
        Assert.True(created.Deploy);
        Assert.Equal("admin@slipway.local", created.User.Email);
        Assert.Equal("slipway-1", created.Stack);
        Assert.Equal("succeeded", build.Status);
        Assert.Equal(1, build.Release?.Version);
        var release = await _api.GetReleaseAsync(app.Name, "v1");
        Assert.Equal(build.Release!.Id, release.Id);
        Assert.Equal($"Deploy {build.Id.ToString("N")[..8]}", release.Description);
        Assert.Equal(build.Slug?.Id, release.Slug?.Id);
        Assert.Equal(new ReleaseSource(Sha, null, "Fix the thing"), release.Source);
    }

    [Fact]
    public async Task Create_AkkerisFlatForm_ReleaseShowsTheBuildsCommitAuthorAndMessage()
    {
        var app = await _api.CreateAppAsync();
        var url = archives.Serve(App());

        var created = await _api.StartBuildAsync(app.Name, new { url, sha = Sha, branch = "main", repo = "https://git.example.com/team/app", author = "GithubUser2 (Github User 1)", message = "Another commit\n\nwith a body" });
        var (build, _) = await _api.WaitForBuildAsync(created);

        Assert.Equal(new BuildSourceBlob(url, "SHA256:" + build.SourceBlob.Checksum![7..], null, Sha, "GithubUser2 (Github User 1)", "Another commit\n\nwith a body", "https://git.example.com/team/app", "main"), build.SourceBlob);
        var releases = await _api.ListReleasesAsync(app.Name);
        Assert.Equal(new ReleaseSource(Sha, "GithubUser2 (Github User 1)", "Another commit\n\nwith a body"), Assert.Single(releases).Source);
    }

    [Fact]
    public async Task Create_DeployFalse_BuildsASlugAndNoRelease()
    {
        var app = await _api.CreateAppAsync();

        var (build, output) = await _api.WaitForBuildAsync(await _api.StartBuildAsync(app.Name, archives.Serve(App()), deploy: false));

        Assert.Equal("succeeded", build.Status);
        Assert.False(build.Deploy);
        Assert.NotNull(build.Slug);
        Assert.Null(build.Release);
        Assert.DoesNotContain("Launching", output);
        Assert.Empty(await _api.ListReleasesAsync(app.Name));
    }

    [Theory]
    [InlineData("""{"source_blob": {}}""", "source_blob.url (or url) must be an http(s) URL")]
    [InlineData("""{"url": "ftp://example.com/a.zip"}""", "must be an http(s) URL")]
    [InlineData("""{"url": "file:///etc/passwd"}""", "must be an http(s) URL")]
    [InlineData("""{"url": "not a url"}""", "must be an http(s) URL")]
    [InlineData("""{"url": "http://127.0.0.1/a.zip", "checksum": "MD5:abc"}""", "checksum must be 'SHA256:' followed by 64 hex digits")]
    [InlineData("""{"url": "http://127.0.0.1/a.zip", "sha": "not-a-sha"}""", "sha must be a git commit id")]
    public async Task Create_InvalidRequest_Is422AndMakesNoBuild(string body, string expected)
    {
        var app = await _api.CreateAppAsync();

        var response = await _api.Http.PostAsync($"/apps/{app.Name}/builds", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Contains(expected, await SlipwayApi.ProblemAsync(response, HttpStatusCode.UnprocessableEntity));
        Assert.Empty(await SlipwayApi.ReadAsync<List<BuildResponse>>(await _api.Http.GetAsync($"/apps/{app.Name}/builds"), HttpStatusCode.OK));
    }

    [Fact]
    public async Task Create_UnknownApp_Is404()
    {
        var response = await _api.Http.PostAsJsonAsync("/apps/nosuch-app/builds", new { url = "http://127.0.0.1/a.zip" });

        Assert.Contains("nosuch-app", await SlipwayApi.ProblemAsync(response, HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task ListGetAndResult_ShowBuildsOldestFirstByIdOrShortId()
    {
        var app = await _api.CreateAppAsync();
        var (first, _) = await _api.BuildAsync(app.Name, archives.Serve(App()));
        var (second, output) = await _api.BuildAsync(app.Name, archives.Serve(App()));

        var all = await SlipwayApi.ReadAsync<List<BuildResponse>>(await _api.Http.GetAsync($"/apps/{app.Name}/builds"), HttpStatusCode.OK);
        var newest = await SlipwayApi.ReadAsync<List<BuildResponse>>(await _api.Http.GetAsync($"/apps/{app.Name}/builds?limit=1"), HttpStatusCode.OK);
        var byShortId = await _api.GetBuildAsync(app.Name, second.Id.ToString("N")[..8]);
        var byAppId = await _api.GetBuildAsync(app.Id.ToString(), second.Id.ToString());
        var result = await SlipwayApi.ReadAsync<BuildResultResponse>(await _api.Http.GetAsync($"/apps/{app.Name}/builds/{second.Id}/result"), HttpStatusCode.OK);

        Assert.Equal([first.Id, second.Id], all.Select(b => b.Id));
        Assert.Equal(second.Id, Assert.Single(newest).Id);
        Assert.Equal(second.Id, byShortId.Id);
        Assert.Equal(second.Id, byAppId.Id);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("succeeded", result.Build.Status);
        Assert.Equal(output, string.Concat(result.Lines.Select(l => l.Line + "\n")));
        Assert.All(result.Lines, l => Assert.Equal("stdout", l.Stream));
        await SlipwayApi.ProblemAsync(await _api.Http.GetAsync($"/apps/{app.Name}/builds/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        await SlipwayApi.ProblemAsync(await _api.Http.GetAsync($"/apps/{app.Name}/builds?limit=0"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Output_NeedsATokenOrTheBuildsKey()
    {
        var app = await _api.CreateAppAsync();
        var (build, output) = await _api.BuildAsync(app.Name, archives.Serve(App()));
        using var anonymous = fixture.Server.Client(token: null);
        var path = $"/apps/{app.Name}/builds/{build.Id}/output";

        var withoutAnything = await anonymous.GetAsync(path);
        var withWrongKey = await anonymous.GetAsync(path + "?key=" + new string('0', 32));
        var withToken = await _api.Http.GetStringAsync(path);

        await SlipwayApi.ProblemAsync(withoutAnything, HttpStatusCode.Unauthorized);
        await SlipwayApi.ProblemAsync(withWrongKey, HttpStatusCode.NotFound);
        Assert.Equal(output, withToken);
    }

    [Fact]
    public async Task Cancel_EndedBuild_IsConflict()
    {
        var app = await _api.CreateAppAsync();
        var (build, _) = await _api.BuildAsync(app.Name, archives.Serve(App()));

        var response = await _api.Http.DeleteAsync($"/apps/{app.Name}/builds/{build.Id}");

        Assert.Contains("has already succeeded", await SlipwayApi.ProblemAsync(response, HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task DestroyApp_WithBuildsAndReleases_RemovesThem()
    {
        var app = await _api.CreateAppAsync();
        await _api.BuildAsync(app.Name, archives.Serve(App()));
        await _api.BuildAsync(app.Name, "http://127.0.0.1:1/unreachable.tar.gz");

        var destroy = await _api.Http.DeleteAsync($"/apps/{app.Name}?confirm={app.Name}");

        Assert.Equal(HttpStatusCode.OK, destroy.StatusCode);
        await SlipwayApi.ProblemAsync(await _api.Http.GetAsync($"/apps/{app.Name}/builds"), HttpStatusCode.NotFound);
    }

    /// <summary>A Procfile app with a unique file, so that no two builds share a source.</summary>
    private static byte[] App() => Archives.TarGz([new ArchiveFile("Procfile", "web: python3 -m http.server --bind 127.0.0.1 $PORT\n"), new ArchiveFile("id.txt", SlipwayApi.Unique())]);
}

public sealed class SqliteBuildsApiTests(SqliteServerFixture fixture, ArchiveServer archives)
    : BuildsApiTests(fixture, archives), IClassFixture<SqliteServerFixture>, IClassFixture<ArchiveServer>;

public sealed class PostgresBuildsApiTests(PostgresServerFixture fixture, ArchiveServer archives)
    : BuildsApiTests(fixture, archives), IClassFixture<PostgresServerFixture>, IClassFixture<ArchiveServer>;
