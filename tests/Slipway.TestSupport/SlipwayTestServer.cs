using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Slipway.Server;

namespace Slipway.TestSupport;

public enum Database
{
    Sqlite,
    Postgres,
}

/// <summary>
/// A real Slipway server on 127.0.0.1 (Kestrel, a free port), on a fresh SQLite data folder or
/// a fresh PostgreSQL database, with a known admin token: the one way tests and benchmarks start
/// a server in-process. A test class shares one through <see cref="SlipwayServerFixture"/>.
/// </summary>
public sealed class SlipwayTestServer : IAsyncDisposable
{
    public const string AdminToken = "slw_test_admin_token";

    private readonly WebApplication _app;
    private readonly PostgresServer? _postgres;
    private readonly string? _connectionString;

    private SlipwayTestServer(WebApplication app, Uri baseAddress, string dataDir, PostgresServer? postgres, string? connectionString)
    {
        _app = app;
        BaseAddress = baseAddress;
        DataDir = dataDir;
        _postgres = postgres;
        _connectionString = connectionString;
    }

    public Uri BaseAddress { get; }

    public string DataDir { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>The port the built-in router listens on (apps answer at <c>http://&lt;key&gt;.localhost:&lt;port&gt;</c>); 0 when the runtime has no router (Kubernetes).</summary>
    public int RouterPort => Services.GetService<Slipway.Server.Routing.RouterHost>()?.Port ?? 0;

    /// <summary>
    /// Starts a server with <paramref name="settings"/> (configuration keys, as on its command line)
    /// over the test defaults. On PostgreSQL it gets a fresh database, dropped afterwards, unless
    /// <paramref name="sharedConnectionString"/> names one that several servers share (left alone).
    /// The server reads the time from <paramref name="clock"/> when one is given.
    /// </summary>
    public static async Task<SlipwayTestServer> StartAsync(
        Database database = Database.Sqlite,
        PostgresServer? postgres = null,
        IEnumerable<KeyValuePair<string, string?>>? settings = null,
        string? sharedConnectionString = null,
        TimeProvider? clock = null)
    {
        var dataDir = Directory.CreateTempSubdirectory("slipway-test-").FullName;
        var args = new List<string>
        {
            "--urls=http://127.0.0.1:0",
            $"--Slipway:DataDir={dataDir}",
            $"--Slipway:AdminToken={AdminToken}",
            "--Logging:LogLevel:Default=Warning",
            "--environment=Testing",

            // Many servers run at once in a test run: each router takes a free port of its own.
            "--Slipway:Router:Port=0",

            // Tests serve sources from 127.0.0.1 (ArchiveServer); the tests of the refusal turn this off.
            "--Slipway:Builds:AllowPrivateSources=true",

            // Release phases held by a ReleaseGate must see it from their sandbox (an index a fixture's own paths do not take).
            $"--Slipway:Runtime:Isolation:ReadOnlyPaths:99={ReleaseGate.EnsureRoot()}",
        };
        string? connectionString = null;
        if (database == Database.Postgres)
        {
            ArgumentNullException.ThrowIfNull(postgres);
            connectionString = sharedConnectionString ?? await postgres.CreateDatabaseAsync();
            args.Add("--Slipway:Database:Provider=postgres");
            args.Add($"--ConnectionStrings:Slipway={connectionString}");
        }

        foreach (var (key, value) in settings ?? [])
        {
            args.Add($"--{key}={value}");
        }

        var app = await SlipwayServer.BuildAsync([.. args], builder =>
        {
            if (clock is not null)
            {
                builder.Services.AddSingleton(clock);
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SlipwayTestServer(app, new Uri(address), dataDir, postgres, sharedConnectionString is null ? connectionString : null);
    }

    /// <summary>An HTTP client for the API, authenticated with <paramref name="token"/> (the admin's by default; null for none).</summary>
    public HttpClient Client(string? token = AdminToken)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>The typed API client, as <paramref name="token"/> (the admin by default); the caller disposes it.</summary>
    public SlipwayApi Api(string? token = AdminToken) => new(Client(token));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_postgres is not null && _connectionString is not null)
        {
            await _postgres.DropDatabaseAsync(_connectionString);
        }

        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // A process that still holds a file open must not fail the test run.
        }
    }
}
