using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Slipway.Contracts;

namespace Slipway.EndToEnd.Tests;

/// <summary>
/// The platform's HTTP API, for setting a scene or making a change "elsewhere" (as the CLI
/// would) while the browser watches. Releases with code are made the real way: a slug is
/// registered, its tar.gz PUT to the blob URL, then deployed.
/// </summary>
public sealed class PlatformApi(HttpClient http) : IDisposable
{
    public async Task<AppResponse> CreateAppAsync(string? space = null, string? name = null)
    {
        space ??= "space" + Guid.NewGuid().ToString("N")[..8];
        name ??= "app" + Guid.NewGuid().ToString("N")[..8];
        var spaceResponse = await http.PostAsJsonAsync("/spaces", new CreateSpaceRequest(space, null), SlipwayJson.Options);
        if (spaceResponse.StatusCode != HttpStatusCode.Conflict)
        {
            await ExpectAsync(spaceResponse, HttpStatusCode.Created);
        }

        return await ReadAsync<AppResponse>(await http.PostAsJsonAsync("/apps", new CreateAppRequest(name, space), SlipwayJson.Options), HttpStatusCode.Created);
    }

    /// <summary>Registers and uploads a slug of a tiny static site, with the commit it says it was built from.</summary>
    public async Task<SlugResponse> CreateSlugAsync(string app, string? commit = null, string? message = null)
    {
        var bytes = SlugBytes(new() { ["index.html"] = "hello " + Guid.NewGuid().ToString("N") });
        var request = new CreateSlugRequest(new() { ["web"] = "python3 -m http.server --bind 127.0.0.1 $PORT" }, Checksum(bytes), commit, message, null);
        var slug = await ReadAsync<SlugResponse>(await http.PostAsJsonAsync($"/apps/{app}/slugs", request, SlipwayJson.Options), HttpStatusCode.Created);
        return await ReadAsync<SlugResponse>(await http.PutAsync(slug.Blob.Url, new ByteArrayContent(bytes)), HttpStatusCode.OK);
    }

    /// <summary>Deploys a slug and waits until the runtime has settled the release, as a deploy from the CLI does.</summary>
    public async Task<ReleaseResponse> DeployAsync(string app, Guid slug)
    {
        var release = await ReadAsync<ReleaseResponse>(await http.PostAsJsonAsync($"/apps/{app}/releases", new { slug = slug.ToString() }, SlipwayJson.Options), HttpStatusCode.Created);
        return await SettledAsync(app, release);
    }

    private async Task<ReleaseResponse> SettledAsync(string app, ReleaseResponse release)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (release.Status == "pending")
        {
            Assert.True(DateTime.UtcNow < deadline, $"v{release.Version} of {app} is still pending after 90 s.");
            await Task.Delay(50);
            release = await ReadAsync<ReleaseResponse>(await http.GetAsync($"/apps/{app}/releases/{release.Id}"), HttpStatusCode.OK);
        }

        return release;
    }

    /// <summary>One PATCH of config vars (null removes); waits until its release is settled and answers its version.</summary>
    public async Task<int> SetConfigAsync(string app, Dictionary<string, string?> vars)
    {
        var response = await http.PatchAsync($"/apps/{app}/config-vars", JsonContent.Create(vars, options: SlipwayJson.Options));
        await ExpectAsync(response, HttpStatusCode.OK);
        var version = response.Headers.GetValues("Slipway-Release").Single();
        await SettledAsync(app, await ReadAsync<ReleaseResponse>(await http.GetAsync($"/apps/{app}/releases/{version}"), HttpStatusCode.OK));
        return int.Parse(version.TrimStart('v'), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<List<ReleaseResponse>> ListReleasesAsync(string app) =>
        await ReadAsync<List<ReleaseResponse>>(await http.GetAsync($"/apps/{app}/releases"), HttpStatusCode.OK);

    public void Dispose() => http.Dispose();

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await ExpectAsync(response, expected);
        return System.Text.Json.JsonSerializer.Deserialize<T>(body, SlipwayJson.Options)!;
    }

    private static async Task<string> ExpectAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return body;
    }

    private static byte[] SlugBytes(Dictionary<string, string> files)
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

    private static string Checksum(byte[] bytes) => "SHA256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
}
