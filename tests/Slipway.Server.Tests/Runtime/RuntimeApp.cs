using System.Net;
using Slipway.Contracts;

namespace Slipway.Server.Tests.Runtime;

/// <summary>
/// One app on a test server, driven through the real HTTP API (<see cref="SlipwayApi"/>) and reached
/// through the real router: deploy slugs, change config, roll back, scale, read dynos and logs, destroy.
/// Releases are answered as the API made them; <see cref="SettledAsync"/> waits for the deploy.
/// </summary>
public sealed class RuntimeApp : IAsyncDisposable
{
    private readonly SlipwayApi _client;
    private readonly HttpClient _router;
    private readonly int _routerPort;
    private bool _destroyed;

    private RuntimeApp(SlipwayApi client, int routerPort, string key)
    {
        _client = client;
        _routerPort = routerPort;
        Key = key;
        _router = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public string Key { get; }

    /// <summary>The API's HTTP client, as the admin, for the requests a test is about.</summary>
    public HttpClient Api => _client.Http;

    /// <summary>Creates a new app (in a new space) on the server behind <paramref name="client"/>, which it then owns.</summary>
    public static async Task<RuntimeApp> CreateAsync(SlipwayApi client, int routerPort)
    {
        var space = await client.CreateSpaceAsync(SlipwayApi.Unique("rt"));
        var app = await client.CreateAppAsync(space.Name, SlipwayApi.Unique("a"));
        return new RuntimeApp(client, routerPort, app.Name);
    }

    /// <summary>Drives an app that already exists (on a server started again).</summary>
    public static RuntimeApp ForExisting(SlipwayApi client, int routerPort, string key) => new(client, routerPort, key);

    /// <summary>Uploads a slug (<see cref="TestSlug"/>) with these process types and answers its id.</summary>
    public async Task<Guid> UploadSlugAsync(string mark, Dictionary<string, string> processTypes, byte[]? bytes = null) =>
        (await _client.UploadSlugAsync(Key, bytes ?? TestSlug.Build(mark), processTypes)).Id;

    /// <summary>Deploys a slug (POST releases {slug}) and answers the new release, as the POST answered it.</summary>
    public Task<ReleaseResponse> DeployAsync(Guid slug) => _client.CreateReleaseAsync(Key, new { slug = slug.ToString() });

    public Task<ReleaseResponse> RollbackAsync(int version) => _client.CreateReleaseAsync(Key, new { release = version });

    /// <summary>PATCHes config vars and answers the version of the release it made.</summary>
    public Task<int> SetConfigAsync(Dictionary<string, string?> vars) => _client.ChangeConfigAsync(Key, vars);

    public Task<ReleaseResponse> ReleaseAsync(int version) => _client.GetReleaseAsync(Key, version);

    /// <summary>Waits until the release is no longer pending and answers it.</summary>
    public Task<ReleaseResponse> SettledAsync(int version, TimeSpan? timeout = null) => _client.SettledAsync(Key, version, timeout ?? Poll.Default);

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
        var (_, body) = await Poll.UntilAsync(
            () => GetAsync(),
            answer => answer.Status == HttpStatusCode.OK && answer.Body.StartsWith(prefix, StringComparison.Ordinal),
            answer => $"Timed out waiting for {Key} to serve '{prefix}' (last: {answer.Body})",
            timeout);
        return body;
    }

    public Task<List<DynoResponse>> DynosAsync() => _client.ListDynosAsync(Key);

    public Task<HttpResponseMessage> PatchFormationAsync(object body) => _client.PatchFormationAsync(Key, body);

    public Task<List<FormationResponse>> FormationAsync() => _client.GetFormationAsync(Key);

    public Task<string> LogsAsync(int lines = 1000) => _client.LogsAsync(Key, lines);

    /// <summary>Destroys the app and checks that none of its processes is left on the machine.</summary>
    public async Task DestroyAsync()
    {
        if (_destroyed)
        {
            return;
        }

        _destroyed = true;
        await _client.DestroyAppAsync(Key);
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
            _client.Dispose();
        }
    }
}
