using System.Net;
using System.Net.Http.Json;
using Slipway.Contracts;
using Slipway.Server.Tests.Builds;

namespace Slipway.Server.Tests.Sources;

/// <summary><c>POST /sources</c> uploads, and fetching sources over HTTP: redirects, errors, checksums.</summary>
public sealed class SourcesApiTests(SmallLimitsServerFixture fixture, ArchiveServer archives) : IClassFixture<SmallLimitsServerFixture>, IClassFixture<ArchiveServer>
{
    private static readonly byte[] ProcfileApp = Archives.TarGz([new ArchiveFile("Procfile", "web: python3 -m http.server --bind 127.0.0.1 $PORT\n")]);

    private readonly SlipwayApi _api = fixture.Api;

    private SlipwayTestServer Server => fixture.Server;

    [Fact]
    public async Task Upload_ThenBuildFromGetUrl_ReadsTheUploadLocally()
    {
        var app = await _api.CreateAppAsync();
        var source = await CreateSourceAsync(_api);
        var bytes = Archives.TarGz([new ArchiveFile("Procfile", "web: python3 -m http.server --bind 127.0.0.1 $PORT\n"), new ArchiveFile("id.txt", SlipwayApi.Unique())]);

        var uploaded = await SlipwayApi.ReadAsync<SourceResponse>(await _api.Http.PutAsync(source.SourceBlob.PutUrl, new ByteArrayContent(bytes)), HttpStatusCode.OK);
        var (build, output) = await _api.BuildAsync(app.Name, source.SourceBlob.GetUrl);

        Assert.True(uploaded.Uploaded);
        Assert.Equal(bytes.Length, uploaded.Size);
        Assert.Equal(Archives.Checksum(bytes), uploaded.Checksum);
        Assert.True(build.Status == "succeeded", output);
        Assert.Equal(source.SourceBlob.GetUrl, build.SourceBlob.Url);
        Assert.Equal(Archives.Checksum(bytes), build.SourceBlob.Checksum);

        // Fetched over HTTP the get_url would have needed a token, which builds do not have.
        using var anonymous = Server.Client(token: null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(source.SourceBlob.GetUrl)).StatusCode);
        Assert.Equal(bytes, await _api.Http.GetByteArrayAsync(source.SourceBlob.GetUrl));
    }

    [Fact]
    public async Task Upload_Twice_IsConflict()
    {
        var source = await CreateSourceAsync(_api);
        await SlipwayApi.ReadAsync<SourceResponse>(await _api.Http.PutAsync(source.SourceBlob.PutUrl, new ByteArrayContent(ProcfileApp)), HttpStatusCode.OK);

        var again = await _api.Http.PutAsync(source.SourceBlob.PutUrl, new ByteArrayContent(ProcfileApp));

        Assert.Contains("already uploaded", await SlipwayApi.ProblemAsync(again, HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task Upload_LargerThanTheLimit_Is413AndKeepsNothing()
    {
        var source = await CreateSourceAsync(_api);

        var response = await _api.Http.PutAsync(source.SourceBlob.PutUrl, new ByteArrayContent(new byte[SmallLimitsServerFixture.MaxSourceBytes + 1]));

        Assert.Contains("Slipway:Builds:MaxSourceBytes", await SlipwayApi.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge));
        var uploads = Path.Combine(Server.DataDir, "sources");
        Assert.False(File.Exists(Path.Combine(uploads, source.Id.ToString("N") + ".archive")));
        var incoming = Path.Combine(uploads, "incoming");
        Assert.True(!Directory.Exists(incoming) || !Directory.EnumerateFiles(incoming).Any());
        var build = await _api.Http.PostAsJsonAsync($"/apps/{(await _api.CreateAppAsync()).Name}/builds", new { url = source.SourceBlob.GetUrl });
        Assert.Contains("has no content yet", await SlipwayApi.ProblemAsync(build, HttpStatusCode.UnprocessableEntity));
    }

    [Fact]
    public async Task Upload_OfAnotherUser_IsInvisibleAndCannotBeBuilt()
    {
        var space = await _api.CreateSpaceAsync();
        var email = $"dev{SlipwayApi.Unique()}@example.com";
        var token = await _api.CreateUserAsync(email);
        await _api.AddSpaceMemberAsync(space.Name, email);
        var app = await _api.CreateAppAsync(space.Name);
        var source = await CreateSourceAsync(_api);
        await SlipwayApi.ReadAsync<SourceResponse>(await _api.Http.PutAsync(source.SourceBlob.PutUrl, new ByteArrayContent(ProcfileApp)), HttpStatusCode.OK);
        using var other = Server.Api(token);

        var get = await other.Http.GetAsync(source.SourceBlob.GetUrl);
        var build = await other.Http.PostAsJsonAsync($"/apps/{app.Name}/builds", new { url = source.SourceBlob.GetUrl });

        await SlipwayApi.ProblemAsync(get, HttpStatusCode.NotFound);
        Assert.Contains($"Source {source.Id} not found", await SlipwayApi.ProblemAsync(build, HttpStatusCode.UnprocessableEntity));
    }

    [Fact]
    public async Task Build_SourceBehindRedirects_FollowsThem()
    {
        var app = await _api.CreateAppAsync();
        var url = archives.Redirect(archives.Redirect(archives.Serve(ProcfileApp)));

        var (build, output) = await _api.BuildAsync(app.Name, url);

        Assert.True(build.Status == "succeeded", output);
    }

    [Fact]
    public async Task Build_SourceAnswers404_FailsWithTheStatus()
    {
        var app = await _api.CreateAppAsync();
        var url = archives.Status(404);

        var (build, _) = await _api.BuildAsync(app.Name, url);

        Assert.Equal("failed", build.Status);
        Assert.Equal($"Fetching {url} answered HTTP 404 Not Found.", build.FailureReason);
        Server.AssertNoBuildLeftovers();
    }

    [Fact]
    public async Task Build_UnreachableSource_FailsWithTheCause()
    {
        var app = await _api.CreateAppAsync();

        var (build, _) = await _api.BuildAsync(app.Name, "http://127.0.0.1:1/source.tar.gz");

        Assert.Equal("failed", build.Status);
        Assert.StartsWith("Could not fetch http://127.0.0.1:1/source.tar.gz: ", build.FailureReason);
    }

    [Fact]
    public async Task Build_Checksum_MustMatchTheSource()
    {
        var app = await _api.CreateAppAsync();
        var wrong = Archives.Checksum([1, 2, 3]);

        var (mismatch, _) = await _api.BuildAsync(app.Name, archives.Serve(ProcfileApp), wrong);
        var (match, output) = await _api.BuildAsync(app.Name, archives.Serve(ProcfileApp), Archives.Checksum(ProcfileApp).ToUpperInvariant());

        Assert.Equal("failed", mismatch.Status);
        Assert.Equal($"Checksum mismatch: the build promised {wrong} but the source is {Archives.Checksum(ProcfileApp)}.", mismatch.FailureReason);
        Assert.True(match.Status == "succeeded", output);
        Assert.Equal(Archives.Checksum(ProcfileApp), match.SourceBlob.Checksum);
    }

    private static async Task<SourceResponse> CreateSourceAsync(SlipwayApi api)
    {
        var source = await SlipwayApi.ReadAsync<SourceResponse>(await api.Http.PostAsync("/sources", null), HttpStatusCode.Created);
        Assert.False(source.Uploaded);
        Assert.EndsWith($"/sources/{source.Id}", source.SourceBlob.PutUrl);
        return source;
    }
}
