namespace Slipway.TestSupport;

/// <summary>
/// The one server fixture: a real Slipway server shared by a test class, on SQLite or on a fresh
/// database of the test run's PostgreSQL, started with the class's settings and a clock the tests
/// can move on. A fixture for a purpose is a thin subclass: it overrides <see cref="Settings"/>
/// (extending the base's), and starts what the server talks to (a broker, a GitHub stand-in) in
/// <see cref="StartDependenciesAsync"/>, handing it to <see cref="Own{T}"/> to be stopped after the server.
/// </summary>
public abstract class SlipwayServerFixture(Database database = Database.Sqlite, PostgresServer? postgres = null) : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];
    private SlipwayTestServer? _server;
    private SlipwayApi? _api;

    public Database Database => database;

    public SlipwayTestServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    /// <summary>The time the server reads; <see cref="TestClock.Advance"/> moves it on for every test of the class.</summary>
    public TestClock Clock { get; } = new();

    /// <summary>The API as the admin, one client for the whole class.</summary>
    public SlipwayApi Api => _api ??= Server.Api();

    /// <summary>Server settings (configuration keys) over the test defaults; a subclass adds to its base's.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();

    public async ValueTask InitializeAsync()
    {
        await StartDependenciesAsync();
        _server = await SlipwayTestServer.StartAsync(database, postgres, Settings, clock: Clock);
    }

    public async ValueTask DisposeAsync()
    {
        _api?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Starts what the server depends on, before the server (its settings may point at them).</summary>
    protected virtual Task StartDependenciesAsync() => Task.CompletedTask;

    /// <summary>Stops <paramref name="dependency"/> once the server has stopped.</summary>
    protected T Own<T>(T dependency)
        where T : IAsyncDisposable
    {
        _owned.Add(dependency);
        return dependency;
    }
}

/// <summary>A server on SQLite with the test defaults.</summary>
public sealed class SqliteServerFixture : SlipwayServerFixture;

/// <summary>A server on a fresh PostgreSQL database with the test defaults.</summary>
public sealed class PostgresServerFixture(PostgresServer postgres) : SlipwayServerFixture(Database.Postgres, postgres);
