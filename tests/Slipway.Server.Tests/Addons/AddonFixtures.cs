using Slipway.TestSupport;

namespace Slipway.Server.Tests.Addons;

/// <summary>
/// A Slipway server whose built-in <c>postgresql</c> broker uses the test PostgreSQL server, and
/// which knows the <see cref="TestBroker"/> as broker <c>test</c> (from configuration).
/// </summary>
public abstract class AddonServerFixture(PostgresServer postgres) : IAsyncLifetime
{
    public const string BuiltInPassword = "built-in-broker-secret";

    private SlipwayTestServer? _server;
    private TestBroker? _broker;

    public SlipwayTestServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public TestBroker Broker => _broker ?? throw new InvalidOperationException("The broker has not started.");

    public PostgresServer Postgres => postgres;

    public string AdminConnectionString { get; private set; } = "";

    protected virtual Database Database => Database.Sqlite;

    public async ValueTask InitializeAsync()
    {
        AdminConnectionString = await postgres.AdminConnectionStringAsync();
        _broker = await TestBroker.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Slipway:Addons:Postgres:AdminConnectionString"] = AdminConnectionString,
            ["Slipway:Addons:Brokers:test:Url"] = _broker.Url.ToString(),
            ["Slipway:Addons:Brokers:test:Username"] = TestBroker.Username,
            ["Slipway:Addons:Brokers:test:Password"] = TestBroker.Password,
            ["Slipway:Addons:BuiltInPassword"] = BuiltInPassword,
            ["Slipway:Addons:PollInterval"] = "00:00:00.05",
        };
        foreach (var (key, value) in Settings())
        {
            settings[key] = value;
        }

        _server = await SlipwayTestServer.StartAsync(Database, postgres, settings);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }

    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings() => [];
}

public sealed class SqliteAddonServerFixture(PostgresServer postgres) : AddonServerFixture(postgres);

public sealed class PostgresAddonServerFixture(PostgresServer postgres) : AddonServerFixture(postgres)
{
    protected override Database Database => Database.Postgres;
}

/// <summary>Short broker timeouts, so that a slow broker's test is quick.</summary>
public sealed class ImpatientAddonServerFixture(PostgresServer postgres) : AddonServerFixture(postgres)
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Slipway:Addons:RequestTimeout", "00:00:02"),
        new("Slipway:Addons:Brokers:down:Url", "http://127.0.0.1:9/"),
    ];
}

/// <summary>Requests never wait for the broker: every create and destroy answers 202 and finishes in the background.</summary>
public sealed class BackgroundAddonServerFixture(PostgresServer postgres) : AddonServerFixture(postgres)
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings() => [new("Slipway:Addons:RequestWait", "00:00:00")];
}
