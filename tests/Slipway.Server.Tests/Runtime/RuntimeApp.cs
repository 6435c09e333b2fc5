using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Slipway.Contracts;

namespace Slipway.Server.Tests.Runtime;

/// <summary>
/// One app on a test server, driven through the real HTTP API and reached through the real router:
/// deploy slugs, change config, roll back, scale, read dynos and logs, destroy.
/// </summary>
public sealed class RuntimeApp : IAsyncDisposable
{
    private static readonly JsonSerializerOptions AsWritten = new();
    private readonly HttpClient _api;
    private readonly HttpClient _router;
    private readonly int _routerPort;
    private bool _destroyed;

    private RuntimeApp(HttpClient api, int routerPort, string key)
    {
        _api = api;
        _routerPort = routerPort;
        Key = key;
        _router = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public string Key { get; }

    public HttpClient Api => _api;

    /// <summary>Creates a new app (in a new space) on the server behind <paramref name="api"/>.</summary>
    public static async Task<RuntimeApp> CreateAsync(HttpClient api, int routerPort)
    {
        var unique = Guid.NewGuid().ToString("N")[..10];
        var space = await Read<SpaceResponse>(await api.PostAsJsonAsync("/spaces", new CreateSpaceRequest("rt" + unique, null), SlipwayJson.Options), HttpStatusCode.Created);
        var app = await Read<AppResponse>(await api.PostAsJsonAsync("/apps", new CreateAppRequest("a" + unique, space.Name), SlipwayJson.Options), HttpStatusCode.Created);
        return new RuntimeApp(api, routerPort, app.Name);
    }

    /// <summary>Drives an app that already exists (on a server started again).</summary>
    public static Task<RuntimeApp> CreateForExistingAsync(HttpClient api, int routerPort, string key) =>
        Task.FromResult(new RuntimeApp(api, routerPort, key));

    /// <summary>Uploads a slug (<see cref="TestSlug"/>) with these process types and answers its id.</summary>
    public async Task<Guid> UploadSlugAsync(string mark, Dictionary<string, string> processTypes, byte[]? bytes = null)
    {
        bytes ??= TestSlug.Build(mark);
        var slug = await Read<SlugResponse>(
            await _api.PostAsJsonAsync($"/apps/{Key}/slugs", new CreateSlugRequest(processTypes, TestSlug.Checksum(bytes), null, null, bytes.Length), SlipwayJson.Options),
            HttpStatusCode.Created);
        var put = await _api.PutAsync(slug.Blob.Url, new ByteArrayContent(bytes));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return slug.Id;
    }

    /// <summary>Deploys a slug (POST releases {slug}) and answers the new release, as the POST answered it.</summary>
    public async Task<ReleaseResponse> DeployAsync(Guid slug) =>
        await Read<ReleaseResponse>(await _api.PostAsJsonAsync($"/apps/{Key}/releases", new { slug = slug.ToString() }, SlipwayJson.Options), HttpStatusCode.Created);

    public async Task<ReleaseResponse> RollbackAsync(int version) =>
        await Read<ReleaseResponse>(await _api.PostAsJsonAsync($"/apps/{Key}/releases", new { release = version }, SlipwayJson.Options), HttpStatusCode.Created);

    /// <summary>PATCHes config vars and answers the version of the release it made.</summary>
    public async Task<int> SetConfigAsync(Dictionary<string, string?> vars)
    {
        var response = await _api.PatchAsync($"/apps/{Key}/config-vars", JsonContent.Create(vars, options: AsWritten));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return int.Parse(response.Headers.GetValues("Slipway-Release").Single()[1..], System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<ReleaseResponse> ReleaseAsync(int version) =>
        await Read<ReleaseResponse>(await _api.GetAsync($"/apps/{Key}/releases/{version}"), HttpStatusCode.OK);

    /// <summary>Waits until the release is no longer pending and answers it.</summary>
    public async Task<ReleaseResponse> SettledAsync(int version, TimeSpan? timeout = null)
    {
        ReleaseResponse? release = null;
        await Poll.UntilAsync(async () => (release = await ReleaseAsync(version)).Status != "pending", $"{Key} v{version} to leave pending", timeout);
        return release!;
    }

    /// <summary>Deploys and waits: the release must succeed.</summary>
    public async Task<int> DeploySucceededAsync(Guid slug)
    {
        var release = await DeployAsync(slug);
        var settled = await SettledAsync(release.Version);
        Assert.True(settled.Status == "succeeded", $"v{release.Version} is {settled.Status}: {settled.FailureReason}");
        return release.Version;
    }

    /// <summary>GET through the router with <c>Host: &lt;key&gt;.localhost</c>.</summary>
    public async Task<(HttpStatusCode Status, string Body)> GetAsync(string path = "/", string? host = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{_routerPort}{path}");
        request.Headers.Host = host ?? $"{Key}.localhost";
        using var response = await _router.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Waits until the router answers 200 with a body that starts with <paramref name="prefix"/>.</summary>
    public async Task<string> ServesAsync(string prefix, TimeSpan? timeout = null)
    {
        var body = "";
        await Poll.UntilAsync(
            async () =>
            {
                var (status, text) = await GetAsync();
                body = text;
                return status == HttpStatusCode.OK && text.StartsWith(prefix, StringComparison.Ordinal);
            },
            $"{Key} to serve '{prefix}' (last: {body})",
            timeout);
        return body;
    }

    public async Task<List<DynoResponse>> DynosAsync() =>
        await Read<List<DynoResponse>>(await _api.GetAsync($"/apps/{Key}/dynos"), HttpStatusCode.OK);

    public async Task<HttpResponseMessage> PatchFormationAsync(object body) =>
        await _api.PatchAsync($"/apps/{Key}/formation", JsonContent.Create(body, options: SlipwayJson.Options));

    public async Task<List<FormationResponse>> FormationAsync() =>
        await Read<List<FormationResponse>>(await _api.GetAsync($"/apps/{Key}/formation"), HttpStatusCode.OK);

    public async Task<string> LogsAsync(int lines = 1000) =>
        await _api.GetStringAsync($"/apps/{Key}/log-sessions?lines={lines}");

    /// <summary>Destroys the app and checks that none of its processes is left on the machine.</summary>
    public async Task DestroyAsync()
    {
        if (_destroyed)
        {
            return;
        }

        _destroyed = true;
        var response = await _api.DeleteAsync($"/apps/{Key}?confirm={Key}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(AppProcesses.Of(Key));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await DestroyAsync();
        }
        finally
        {
            _router.Dispose();
        }
    }

    public static async Task<T> Read<T>(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}, not {(int)expected}: {text}");
        return JsonSerializer.Deserialize<T>(text, SlipwayJson.Options)!;
    }
}
