using Slipway.TestSupport;

namespace Slipway.Server.Tests;

/// <summary>One real Slipway server per test class, on the database the class is about.</summary>
public abstract class ServerFixture : IAsyncLifetime
{
    private SlipwayTestServer? _server;

    public SlipwayTestServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public abstract Database Database { get; }

    public async ValueTask InitializeAsync() => _server = await StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    protected abstract Task<SlipwayTestServer> StartAsync();
}

public sealed class SqliteServerFixture : ServerFixture
{
    public override Database Database => Database.Sqlite;

    protected override Task<SlipwayTestServer> StartAsync() => SlipwayTestServer.StartAsync();
}

public sealed class PostgresServerFixture(PostgresServer postgres) : ServerFixture
{
    public override Database Database => Database.Postgres;

    protected override Task<SlipwayTestServer> StartAsync() => SlipwayTestServer.StartAsync(Database.Postgres, postgres);
}
