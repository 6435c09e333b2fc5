using System.Formats.Tar;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Slipway.Contracts;
using Slipway.Server.Data;
using Slipway.Server.Releases;
using Slipway.TestSupport;

namespace Slipway.Cli.Tests;

/// <summary>
/// One real Slipway server per test class, and the API calls the tests use to set the scene
/// (spaces, apps, slug deploys) as the admin, outside the CLI under test.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private static int _counter;

    private SlipwayTestServer? _server;

    public SlipwayTestServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    /// <summary>The CLI, logged in as the admin through <c>SLIPWAY_API_TOKEN</c>.</summary>
    public Aka Aka => new(Server.BaseAddress);

    /// <summary>A name no other test of this server uses (letters and digits, valid for apps and spaces).</summary>
    public static string UniqueName(string prefix) => $"{prefix}{Interlocked.Increment(ref _counter)}";

    public async ValueTask InitializeAsync() => _server = await SlipwayTestServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    public async Task<SpaceResponse> CreateSpaceAsync(string name, string? description = null) =>
        await SendAsync<SpaceResponse>(HttpMethod.Post, "/spaces", new CreateSpaceRequest(name, description));

    /// <summary>A new app in a new space; answers its key.</summary>
    public async Task<string> CreateAppAsync(string prefix = "app")
    {
        var space = await CreateSpaceAsync(UniqueName("space"));
        var app = await SendAsync<AppResponse>(HttpMethod.Post, "/apps", new CreateAppRequest(UniqueName(prefix), space.Name));
        return app.Name;
    }

    public async Task<AppResponse> GetAppAsync(string app) => await SendAsync<AppResponse>(HttpMethod.Get, $"/apps/{app}", null);

    public async Task SetConfigAsync(string app, string key, string value) =>
        await SendAsync<Dictionary<string, string>>(HttpMethod.Patch, $"/apps/{app}/config-vars", new Dictionary<string, string?> { [key] = value });

    public async Task<Dictionary<string, string>> GetConfigAsync(string app) =>
        await SendAsync<Dictionary<string, string>>(HttpMethod.Get, $"/apps/{app}/config-vars", null);

    public async Task<ReleaseResponse> GetReleaseAsync(string app, int version) =>
        await SendAsync<ReleaseResponse>(HttpMethod.Get, $"/apps/{app}/releases/{version}", null);

    /// <summary>Registers a slug, uploads a real tar.gz to its blob URL and deploys it, as a build would.</summary>
    public async Task<(SlugResponse Slug, ReleaseResponse Release)> DeploySlugAsync(string app, string? commit = null, string? commitDescription = null)
    {
        var slug = await UploadSlugAsync(app, commit, commitDescription);
        var release = await SendAsync<ReleaseResponse>(HttpMethod.Post, $"/apps/{app}/releases", new CreateReleaseRequest(slug.Id.ToString(), null, null));
        return (slug, release);
    }

    /// <summary>Registers a slug and uploads a real tar.gz to its blob URL, without deploying it.</summary>
    public async Task<SlugResponse> UploadSlugAsync(string app, string? commit = null, string? commitDescription = null)
    {
        var archive = SlugArchive($"web: ./server {commit}\n");
        var checksum = "SHA256:" + Convert.ToHexStringLower(SHA256.HashData(archive));
        var slug = await SendAsync<SlugResponse>(
            HttpMethod.Post,
            $"/apps/{app}/slugs",
            new CreateSlugRequest(new Dictionary<string, string> { ["web"] = "./server" }, checksum, commit, commitDescription, archive.Length));

        using var client = Server.Client();
        using var content = new ByteArrayContent(archive);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        using var upload = await client.PutAsync(slug.Blob.Url, content, TestContext.Current.CancellationToken);
        await EnsureSuccessAsync(upload);
        return slug;
    }

    /// <summary>
    /// Records a deploy of <paramref name="slugId"/> that failed, as the runtime will when a
    /// release's processes never become healthy. The server has no runtime yet (every release
    /// succeeds at once), so the release is written through its own entity and database.
    /// </summary>
    public async Task<int> AddFailedDeployAsync(string app, Guid slugId, string reason)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var scope = Server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SlipwayDb>();
        var found = await db.Apps.SingleAsync(a => a.Key == app, ct);
        var admin = await db.Users.FirstAsync(u => u.IsAdmin, ct);
        await db.Apps.Where(a => a.Id == found.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.ReleaseCounter, a => a.ReleaseCounter + 1), ct);
        var version = await db.Apps.Where(a => a.Id == found.Id).Select(a => a.ReleaseCounter).SingleAsync(ct);
        var now = DateTimeOffset.UtcNow;
        var draft = new ReleaseDraft(slugId, new Dictionary<string, string>(), $"Deploy {slugId.ToString("N")[..8]}", ReleaseTrigger.Deploy);
        var release = Release.Create(found.Id, version, draft, admin.Id, now);
        release.MarkFailed(reason, now);
        db.Releases.Add(release);
        await db.SaveChangesAsync(ct);
        return version;
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body)
    {
        using var client = Server.Client();
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: SlipwayJson.Options);
        }

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        await EnsureSuccessAsync(response);
        return (await response.Content.ReadFromJsonAsync<T>(SlipwayJson.Options, TestContext.Current.CancellationToken))!;
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{(int)response.StatusCode} {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static byte[] SlugArchive(string procfile)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "./app/"));
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "./app/Procfile") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(procfile)) });
        }

        return buffer.ToArray();
    }
}
