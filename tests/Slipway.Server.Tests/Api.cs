using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Slipway.Contracts;

namespace Slipway.Server.Tests;

/// <summary>Small typed calls over the real HTTP API, so tests read as the scenario they check.</summary>
public sealed class Api(HttpClient http) : IDisposable
{
    private static readonly System.Text.Json.JsonSerializerOptions AsWritten = new();

    public HttpClient Http => http;

    public async Task<SpaceResponse> CreateSpaceAsync(string? name = null)
    {
        name ??= "space" + Unique();
        return await ReadAsync<SpaceResponse>(await http.PostAsJsonAsync("/spaces", new CreateSpaceRequest(name, null), SlipwayJson.Options), HttpStatusCode.Created);
    }

    public async Task<AppResponse> CreateAppAsync(string? space = null, string? name = null)
    {
        space ??= (await CreateSpaceAsync()).Name;
        name ??= "app" + Unique();
        return await ReadAsync<AppResponse>(await http.PostAsJsonAsync("/apps", new CreateAppRequest(name, space), SlipwayJson.Options), HttpStatusCode.Created);
    }

    /// <summary>PATCHes config; property names of an anonymous body are sent as written (FOO stays FOO).</summary>
    public Task<HttpResponseMessage> PatchConfigAsync(string app, object body) =>
        http.PatchAsync($"/apps/{app}/config-vars", JsonContent.Create(body, options: AsWritten));

    public async Task<Dictionary<string, string>> GetConfigAsync(string app) =>
        await ReadAsync<Dictionary<string, string>>(await http.GetAsync($"/apps/{app}/config-vars"), HttpStatusCode.OK);

    /// <summary>
    /// Creates a slug from the given files (placed under ./app/) and uploads it. By default its web
    /// process is Python's static file server, which the runtime really starts.
    /// </summary>
    public async Task<SlugResponse> CreateSlugAsync(string app, Dictionary<string, string>? files = null, string? commit = null, string? message = null, Dictionary<string, string>? processTypes = null)
    {
        var bytes = SlugBytes(files ?? new() { ["index.html"] = "hello " + Unique() });
        processTypes ??= new() { ["web"] = "python3 -m http.server --bind 127.0.0.1 $PORT" };
        var slug = await ReadAsync<SlugResponse>(
            await http.PostAsJsonAsync($"/apps/{app}/slugs", new CreateSlugRequest(processTypes, Checksum(bytes), commit, message, null), SlipwayJson.Options),
            HttpStatusCode.Created);
        var put = await http.PutAsync(slug.Blob.Url, new ByteArrayContent(bytes));
        return await ReadAsync<SlugResponse>(put, HttpStatusCode.OK);
    }

    public Task<HttpResponseMessage> PostReleaseAsync(string app, object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/apps/{app}/releases") { Content = JsonContent.Create(body, options: SlipwayJson.Options) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return http.SendAsync(request);
    }

    /// <summary>Deploys a slug and waits until the runtime has settled the release (succeeded or failed).</summary>
    public async Task<ReleaseResponse> DeployAsync(string app, Guid slug) =>
        await SettledAsync(app, await ReadAsync<ReleaseResponse>(await PostReleaseAsync(app, new { slug = slug.ToString() }), HttpStatusCode.Created));

    public async Task<ReleaseResponse> RollbackAsync(string app, object release) =>
        await SettledAsync(app, await ReadAsync<ReleaseResponse>(await PostReleaseAsync(app, new { release }), HttpStatusCode.Created));

    public async Task<ReleaseResponse> SetConfigAsync(string app, object body)
    {
        var response = await PatchConfigAsync(app, body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var version = response.Headers.GetValues("Slipway-Release").Single();
        return await SettledAsync(app, await GetReleaseAsync(app, version));
    }

    /// <summary>Polls a release until it is no longer pending (the deployer's work is asynchronous).</summary>
    public async Task<ReleaseResponse> SettledAsync(string app, ReleaseResponse release)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (release.Status == "pending")
        {
            Assert.True(DateTime.UtcNow < deadline, $"v{release.Version} of {app} is still pending after 90 s.");
            await Task.Delay(50);
            release = await GetReleaseAsync(app, release.Id.ToString());
        }

        return release;
    }

    public async Task<ReleaseResponse> GetReleaseAsync(string app, string reference) =>
        await ReadAsync<ReleaseResponse>(await http.GetAsync($"/apps/{app}/releases/{reference}"), HttpStatusCode.OK);

    public async Task<List<ReleaseResponse>> ListReleasesAsync(string app)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/apps/{app}/releases");
        request.Headers.TryAddWithoutValidation("Range", "version ..; max=1000");
        return await ReadAsync<List<ReleaseResponse>>(await http.SendAsync(request), HttpStatusCode.OK);
    }

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return System.Text.Json.JsonSerializer.Deserialize<T>(body, SlipwayJson.Options)!;
    }

    /// <summary>Asserts a problem+json answer with this status and returns its message.</summary>
    public static async Task<string> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = System.Text.Json.JsonSerializer.Deserialize<ProblemResponse>(body, SlipwayJson.Options)!;
        Assert.False(string.IsNullOrEmpty(problem.Id));
        Assert.Equal(problem.Detail, problem.Message);
        return problem.Message!;
    }

    public static byte[] SlugBytes(Dictionary<string, string> files)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var (name, content) in files)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "./app/" + name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });
            }
        }

        return buffer.ToArray();
    }

    public static string Checksum(byte[] bytes) => "SHA256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static string Unique() => Guid.NewGuid().ToString("N")[..10];

    public void Dispose() => http.Dispose();
}
