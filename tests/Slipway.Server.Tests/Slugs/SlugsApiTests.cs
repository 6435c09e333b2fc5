using System.Net;
using System.Net.Http.Json;
using Slipway.Contracts;

namespace Slipway.Server.Tests.Slugs;

public abstract class SlugsApiTests(SlipwayServerFixture fixture)
{
    private readonly SlipwayApi _api = fixture.Api;

    private string SlugFolder => Path.Combine(fixture.Server.DataDir, "slugs");

    [Fact]
    public async Task Upload_MatchingChecksum_StoresContentAddressed()
    {
        var app = await _api.CreateAppAsync();
        var bytes = Archives.Slug(new Dictionary<string, string> { ["index.html"] = "hi" + SlipwayApi.Unique() });
        var checksum = Archives.Checksum(bytes);
        var slug = await CreateAsync(app.Name, checksum);

        Assert.Equal("PUT", slug.Blob.Method);
        Assert.False(slug.Uploaded);
        var uploaded = await SlipwayApi.ReadAsync<SlugResponse>(await _api.Http.PutAsync(slug.Blob.Url, new ByteArrayContent(bytes)), HttpStatusCode.OK);

        Assert.True(uploaded.Uploaded);
        Assert.Equal(bytes.Length, uploaded.Size);
        var digest = checksum["SHA256:".Length..];
        Assert.True(File.Exists(Path.Combine(SlugFolder, digest[..2], digest + ".tar.gz")));
        var fetched = await SlipwayApi.ReadAsync<SlugResponse>(await _api.Http.GetAsync($"/slugs/{slug.Id}"), HttpStatusCode.OK);
        Assert.Equal(new Dictionary<string, string> { ["web"] = "python3 -m http.server $PORT" }, fetched.ProcessTypes);
    }

    [Fact]
    public async Task Upload_WrongChecksum_Is422AndKeepsNothing()
    {
        var app = await _api.CreateAppAsync();
        var bytes = Archives.Slug(new Dictionary<string, string> { ["a.txt"] = "a" + SlipwayApi.Unique() });
        var slug = await CreateAsync(app.Name, Archives.Checksum([9, 9, 9]));

        var response = await _api.Http.PutAsync(slug.Blob.Url, new ByteArrayContent(bytes));

        Assert.Contains("Checksum mismatch", await SlipwayApi.ProblemAsync(response, HttpStatusCode.UnprocessableEntity));
        var digest = Archives.Checksum(bytes)["SHA256:".Length..];
        Assert.False(File.Exists(Path.Combine(SlugFolder, digest[..2], digest + ".tar.gz")));
        Assert.Empty(Directory.GetFiles(Path.Combine(SlugFolder, "incoming")));
        Assert.False((await SlipwayApi.ReadAsync<SlugResponse>(await _api.Http.GetAsync($"/slugs/{slug.Id}"), HttpStatusCode.OK)).Uploaded);
    }

    [Fact]
    public async Task Upload_NotGzip_Is422()
    {
        var app = await _api.CreateAppAsync();
        byte[] bytes = [.. "plain text, not a slug"u8];
        var slug = await CreateAsync(app.Name, Archives.Checksum(bytes));

        var response = await _api.Http.PutAsync(slug.Blob.Url, new ByteArrayContent(bytes));

        Assert.Contains("not a gzip", await SlipwayApi.ProblemAsync(response, HttpStatusCode.UnprocessableEntity));
    }

    [Fact]
    public async Task Upload_LargerThanPromisedSize_Is413AndKeepsNothing()
    {
        var app = await _api.CreateAppAsync();
        var bytes = Archives.Slug(new Dictionary<string, string> { ["big.txt"] = new string('z', 1000) + SlipwayApi.Unique() });
        var response = await _api.Http.PostAsJsonAsync($"/apps/{app.Name}/slugs", new CreateSlugRequest(null, Archives.Checksum(bytes), null, null, 10), SlipwayJson.Options);
        var slug = await SlipwayApi.ReadAsync<SlugResponse>(response, HttpStatusCode.Created);

        var put = await _api.Http.PutAsync(slug.Blob.Url, new ByteArrayContent(bytes));

        await SlipwayApi.ProblemAsync(put, HttpStatusCode.RequestEntityTooLarge);
        Assert.False((await SlipwayApi.ReadAsync<SlugResponse>(await _api.Http.GetAsync($"/slugs/{slug.Id}"), HttpStatusCode.OK)).Uploaded);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("SHA256:xyz")]
    [InlineData("MD5:0123456789abcdef0123456789abcdef")]
    [InlineData(null)]
    public async Task Create_BadChecksum_Is422(string? checksum)
    {
        var app = await _api.CreateAppAsync();

        var response = await _api.Http.PostAsJsonAsync($"/apps/{app.Name}/slugs", new CreateSlugRequest(null, checksum, null, null, null), SlipwayJson.Options);

        Assert.Contains("checksum", await SlipwayApi.ProblemAsync(response, HttpStatusCode.UnprocessableEntity));
    }

    [Fact]
    public async Task Create_BadProcessType_Is422()
    {
        var app = await _api.CreateAppAsync();

        var response = await _api.Http.PostAsJsonAsync(
            $"/apps/{app.Name}/slugs",
            new CreateSlugRequest(new() { ["we b"] = "run" }, Archives.Checksum([1]), null, null, null),
            SlipwayJson.Options);

        Assert.Contains("Process type", await SlipwayApi.ProblemAsync(response, HttpStatusCode.UnprocessableEntity));
    }

    private async Task<SlugResponse> CreateAsync(string app, string checksum) =>
        await SlipwayApi.ReadAsync<SlugResponse>(
            await _api.Http.PostAsJsonAsync($"/apps/{app}/slugs", new CreateSlugRequest(new() { ["web"] = "python3 -m http.server $PORT" }, checksum, null, null, null), SlipwayJson.Options),
            HttpStatusCode.Created);
}

public sealed class SqliteSlugsApiTests(SqliteServerFixture fixture) : SlugsApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class PostgresSlugsApiTests(PostgresServerFixture fixture) : SlugsApiTests(fixture), IClassFixture<PostgresServerFixture>;
