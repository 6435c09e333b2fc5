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
public class ServerFixture : IAsyncLifetime
{
    private static int _counter;

    private SlipwayTestServer? _server;

    public SlipwayTestServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    /// <summary>The CLI, logged in as the admin through <c>SLIPWAY_API_TOKEN</c>.</summary>
    public Aka Aka => new(Server.BaseAddress);

    /// <summary>A name no other test of this server uses (letters and digits, valid for apps and spaces).</summary>
    public static string UniqueName(string prefix) => $"{prefix}{Interlocked.Increment(ref _counter)}";

    public async ValueTask InitializeAsync() => _server = await SlipwayTestServer.StartAsync(settings: Settings);

    /// <summary>Server settings of a fixture that needs more than the default.</summary>
    protected virtual IDictionary<string, string?>? Settings => null;

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>A web process the runtime really starts: Python's static file server.</summary>
    public const string WorkingWeb = "python3 -m http.server --bind 127.0.0.1 $PORT";

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

    /// <summary>Sets one config var and waits until the runtime has settled the new release.</summary>
    public async Task SetConfigAsync(string app, string key, string value)
    {
        await SendAsync<Dictionary<string, string>>(HttpMethod.Patch, $"/apps/{app}/config-vars", new Dictionary<string, string?> { [key] = value });
        var newest = await SendAsync<List<ReleaseResponse>>(HttpMethod.Get, $"/apps/{app}/releases", null);
        await SettledAsync(app, newest[^1]);
    }

    public async Task<Dictionary<string, string>> GetConfigAsync(string app) =>
        await SendAsync<Dictionary<string, string>>(HttpMethod.Get, $"/apps/{app}/config-vars", null);

    public async Task<ReleaseResponse> GetReleaseAsync(string app, int version) =>
        await SendAsync<ReleaseResponse>(HttpMethod.Get, $"/apps/{app}/releases/{version}", null);

    /// <summary>
    /// Registers a slug, uploads a real tar.gz to its blob URL and deploys it, as a build would,
    /// then waits until the runtime has settled the release.
    /// </summary>
    public async Task<(SlugResponse Slug, ReleaseResponse Release)> DeploySlugAsync(string app, string? commit = null, string? commitDescription = null, string web = WorkingWeb)
    {
        var slug = await UploadSlugAsync(app, commit, commitDescription, web);
        var release = await SendAsync<ReleaseResponse>(HttpMethod.Post, $"/apps/{app}/releases", new CreateReleaseRequest(slug.Id.ToString(), null, null));
        return (slug, await SettledAsync(app, release));
    }

    /// <summary>Deploys a slug with these process types (a <c>release</c> entry is its release phase) and waits until the runtime settles it.</summary>
    public async Task<(SlugResponse Slug, ReleaseResponse Release)> DeployProcessTypesAsync(string app, IReadOnlyDictionary<string, string> processTypes)
    {
        var procfile = string.Concat(processTypes.Select(p => $"{p.Key}: {p.Value}\n")) + $"# {Guid.NewGuid()}\n";
        var archive = SlugArchive(procfile);
        var checksum = "SHA256:" + Convert.ToHexStringLower(SHA256.HashData(archive));
        var slug = await SendAsync<SlugResponse>(
            HttpMethod.Post,
            $"/apps/{app}/slugs",
            new CreateSlugRequest(new Dictionary<string, string>(processTypes), checksum, null, null, archive.Length));
        using (var client = Server.Client())
        using (var content = new ByteArrayContent(archive))
        {
            content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
            using var upload = await client.PutAsync(slug.Blob.Url, content, TestContext.Current.CancellationToken);
            await EnsureSuccessAsync(upload);
        }

        var release = await SendAsync<ReleaseResponse>(HttpMethod.Post, $"/apps/{app}/releases", new CreateReleaseRequest(slug.Id.ToString(), null, null));
        return (slug, await SettledAsync(app, release));
    }

    public async Task<List<DynoResponse>> GetDynosAsync(string app) => await SendAsync<List<DynoResponse>>(HttpMethod.Get, $"/apps/{app}/dynos", null);

    /// <summary>Polls the app's processes until <paramref name="done"/> holds (the runtime converges in the background).</summary>
    public async Task<List<DynoResponse>> WaitForDynosAsync(string app, Func<List<DynoResponse>, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var dynos = await GetDynosAsync(app);
            if (done(dynos))
            {
                return dynos;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The processes of {app} did not converge in 90 s: {string.Join(", ", dynos.Select(d => $"{d.Name} {d.State}"))}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    public async Task<BuildResultResponse> GetBuildResultAsync(string app, Guid build) =>
        await SendAsync<BuildResultResponse>(HttpMethod.Get, $"/apps/{app}/builds/{build}/result", null);

    public async Task<List<BuildResponse>> GetBuildsAsync(string app) => await SendAsync<List<BuildResponse>>(HttpMethod.Get, $"/apps/{app}/builds", null);

    /// <summary>Destroys the app, which stops its processes.</summary>
    public async Task DestroyAppAsync(string app) => await SendAsync<AppResponse>(HttpMethod.Delete, $"/apps/{app}?confirm={app}", null);

    /// <summary>Deploys a slug whose web process exits at once: the runtime fails that release.</summary>
    public async Task<(int Version, Guid SlugId, string Reason)> DeployFailingAsync(string app)
    {
        var (slug, release) = await DeploySlugAsync(app, web: "exit 1");
        Assert.Equal("failed", release.Status);
        return (release.Version, slug.Id, release.FailureReason!);
    }

    /// <summary>Polls a release until it is no longer pending.</summary>
    public async Task<ReleaseResponse> SettledAsync(string app, ReleaseResponse release)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (release.Status == "pending")
        {
            Assert.True(DateTime.UtcNow < deadline, $"v{release.Version} of {app} is still pending after 90 s.");
            await Task.Delay(50, TestContext.Current.CancellationToken);
            release = await GetReleaseAsync(app, release.Version);
        }

        return release;
    }

    /// <summary>Registers a slug and uploads a real tar.gz to its blob URL, without deploying it.</summary>
    public async Task<SlugResponse> UploadSlugAsync(string app, string? commit = null, string? commitDescription = null, string web = WorkingWeb)
    {
        var archive = SlugArchive($"web: {web}\n# {commit} {Guid.NewGuid()}\n");
        var checksum = "SHA256:" + Convert.ToHexStringLower(SHA256.HashData(archive));
        var slug = await SendAsync<SlugResponse>(
            HttpMethod.Post,
            $"/apps/{app}/slugs",
            new CreateSlugRequest(new Dictionary<string, string> { ["web"] = web }, checksum, commit, commitDescription, archive.Length));

        using var client = Server.Client();
        using var content = new ByteArrayContent(archive);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        using var upload = await client.PutAsync(slug.Blob.Url, content, TestContext.Current.CancellationToken);
        await EnsureSuccessAsync(upload);
        return slug;
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
