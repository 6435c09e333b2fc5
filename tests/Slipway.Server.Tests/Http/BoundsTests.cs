using System.Net;
using System.Net.Http.Json;
using System.Text;
using Slipway.Contracts;

namespace Slipway.Server.Tests.Http;

/// <summary>Every stored field has a bound: a body over the server's limit is a 413, a field over its own a 422 naming the limit, and nothing is stored.</summary>
public abstract class BoundsTests(SlipwayServerFixture fixture)
{
    private const int MaxJsonBody = 1 << 20;

    private readonly SlipwayApi _admin = fixture.Api;

    [Fact]
    public async Task SpaceDescription_OverTheBodyLimit_Is413_AndOverItsOwn_Is422()
    {
        var token = await _admin.CreateUserAsync($"b{SlipwayApi.Unique()}@example.com");
        using var user = fixture.Server.Client(token);
        var huge = SlipwayApi.Unique("huge");
        var longer = SlipwayApi.Unique("long");

        var tooLarge = await user.SendAsync(AnnouncedBody(HttpMethod.Post, "/spaces", new CreateSpaceRequest(huge, new string('x', 10 << 20))));
        var tooLong = await user.PostAsJsonAsync("/spaces", new CreateSpaceRequest(longer, new string('x', 1025)), SlipwayJson.Options);
        var fits = await user.PostAsJsonAsync("/spaces", new CreateSpaceRequest(SlipwayApi.Unique("fits"), new string('x', 1024)), SlipwayJson.Options);

        Assert.Matches($"^The request body is \\d+ bytes; at most {MaxJsonBody} are allowed\\.$", await SlipwayApi.ProblemAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge));
        Assert.Equal("description is 1025 characters; at most 1024 are allowed.", await SlipwayApi.ProblemAsync(tooLong, HttpStatusCode.UnprocessableEntity));
        Assert.Equal(HttpStatusCode.Created, fits.StatusCode);
        var names = (await SlipwayApi.ReadAsync<List<SpaceResponse>>(await _admin.Http.GetAsync("/spaces"), HttpStatusCode.OK)).Select(s => s.Name).ToList();
        Assert.DoesNotContain(huge, names);
        Assert.DoesNotContain(longer, names);
    }

    [Fact]
    public async Task ChunkedBody_OverTheLimit_Is413()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/spaces")
        {
            Content = new StringContent($"{{\"name\":\"{SlipwayApi.Unique("chunk")}\",\"description\":\"{new string('x', MaxJsonBody + 1)}\"}}", Encoding.UTF8, "application/json"),
        };
        request.Headers.TransferEncodingChunked = true;

        var response = await _admin.Http.SendAsync(request);

        Assert.Equal($"The request body is larger than {MaxJsonBody} bytes, the most allowed.", await SlipwayApi.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge));
    }

    [Fact]
    public async Task TokenDescriptionAndUserName_OverTheirLimits_Are422()
    {
        var email = $"b{SlipwayApi.Unique()}@example.com";
        var token = await _admin.CreateUserAsync(email);
        using var user = fixture.Server.Client(token);

        var description = await user.PostAsJsonAsync("/users/me/tokens", new CreateTokenRequest(new string('d', 256)), SlipwayJson.Options);
        var name = await _admin.Http.PostAsJsonAsync("/users", new CreateUserRequest($"n{SlipwayApi.Unique()}@example.com", new string('n', 256)), SlipwayJson.Options);

        Assert.Equal("description is 256 characters; at most 255 are allowed.", await SlipwayApi.ProblemAsync(description, HttpStatusCode.UnprocessableEntity));
        Assert.Equal("name is 256 characters; at most 255 are allowed.", await SlipwayApi.ProblemAsync(name, HttpStatusCode.UnprocessableEntity));
        Assert.Single(await SlipwayApi.ReadAsync<List<TokenInfoResponse>>(await user.GetAsync("/users/me/tokens"), HttpStatusCode.OK));
    }

    [Fact]
    public async Task ConfigPatch_With300kKeys_IsRefusedBeforeAnyRelease()
    {
        var app = await _admin.CreateAppAsync();
        var body = Enumerable.Range(0, 300_000).ToDictionary(i => $"K{i}", _ => (string?)"v");

        var response = await _admin.Http.SendAsync(AnnouncedBody(HttpMethod.Patch, $"/apps/{app.Name}/config-vars", body));

        await SlipwayApi.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty(await _admin.ListReleasesAsync(app.Name));
    }

    [Fact]
    public async Task ConfigPatch_OverTheKeyCountOrTotalSize_Is422AndMakesNoRelease()
    {
        var app = await _admin.CreateAppAsync();
        var tooMany = Enumerable.Range(0, 1001).ToDictionary(i => $"K{i}", _ => (string?)"v");
        var tooLarge = Enumerable.Range(0, 17).ToDictionary(i => $"BIG{i}", _ => (string?)new string('x', 32 * 1024));

        var many = await _admin.PatchConfigAsync(app.Name, tooMany);
        var large = await _admin.PatchConfigAsync(app.Name, tooLarge);

        Assert.Equal("The change names 1001 config vars; at most 1000 are allowed per app.", await SlipwayApi.ProblemAsync(many, HttpStatusCode.UnprocessableEntity));
        Assert.Equal($"The app's config vars would take {tooLarge.Sum(c => c.Key.Length + c.Value!.Length)} bytes together; at most {512 * 1024} are allowed.", await SlipwayApi.ProblemAsync(large, HttpStatusCode.UnprocessableEntity));
        Assert.Empty(await _admin.ListReleasesAsync(app.Name));
    }

    [Fact]
    public async Task ConfigPatch_ValueWithNul_IsRefusedNotTruncated()
    {
        var app = await _admin.CreateAppAsync();

        var response = await _admin.PatchConfigAsync(app.Name, new { SECRET = "before\0after" });

        Assert.Equal("The value of SECRET contains a NUL character, which an environment variable cannot hold.", await SlipwayApi.ProblemAsync(response, HttpStatusCode.UnprocessableEntity));
        Assert.Empty(await _admin.ListReleasesAsync(app.Name));
    }

    [Fact]
    public async Task Slug_WithTooManyProcessTypesOrATooLongCommand_Is422()
    {
        var app = await _admin.CreateAppAsync();
        var archive = Archives.Slug(new Dictionary<string, string> { ["index.html"] = "x" });
        var many = Enumerable.Range(0, 101).ToDictionary(i => $"t{i}", _ => "true");
        var longCommand = new Dictionary<string, string> { ["web"] = new string('x', 8193) };

        var tooMany = await _admin.Http.PostAsJsonAsync($"/apps/{app.Name}/slugs", new CreateSlugRequest(many, Archives.Checksum(archive), null, null, archive.Length), SlipwayJson.Options);
        var tooLong = await _admin.Http.PostAsJsonAsync($"/apps/{app.Name}/slugs", new CreateSlugRequest(longCommand, Archives.Checksum(archive), null, null, archive.Length), SlipwayJson.Options);

        Assert.Equal("The slug declares 101 process types; at most 100 are allowed.", await SlipwayApi.ProblemAsync(tooMany, HttpStatusCode.UnprocessableEntity));
        Assert.Equal("The command of process type 'web' is 8193 characters; at most 8192 are allowed.", await SlipwayApi.ProblemAsync(tooLong, HttpStatusCode.UnprocessableEntity));
    }

    /// <summary>
    /// JSON with a Content-Length and <c>Expect: 100-continue</c>: the body is sent only if the server
    /// wants it, so a refusal on the announced length reaches the client instead of a broken pipe.
    /// </summary>
    private static HttpRequestMessage AnnouncedBody(HttpMethod method, string path, object value)
    {
        var request = new HttpRequestMessage(method, path)
        {
            Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(value, value.GetType(), new System.Text.Json.JsonSerializerOptions()), Encoding.UTF8, "application/json"),
        };
        request.Headers.ExpectContinue = true;
        return request;
    }
}

public sealed class SqliteBoundsTests(SqliteServerFixture fixture) : BoundsTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class PostgresBoundsTests(PostgresServerFixture fixture) : BoundsTests(fixture), IClassFixture<PostgresServerFixture>;
