using Slipway.Server.Tests.Runtime;

namespace Slipway.Server.Tests.Addons;

/// <summary>
/// A Slipway server whose built-in <c>postgresql</c> broker uses the test PostgreSQL server, and
/// which knows the <see cref="TestBroker"/> as broker <c>test</c> (from configuration).
/// </summary>
public abstract class AddonServerFixture : BrokerServerFixture
{
    public const string BuiltInPassword = "built-in-broker-secret";

    protected AddonServerFixture(PostgresServer postgres, Database database = Database.Sqlite)
        : base(database, postgres)
    {
        Postgres = postgres;
    }

    public PostgresServer Postgres { get; }

    public string AdminConnectionString { get; private set; } = "";

    protected override IReadOnlyDictionary<string, string?> Settings => base.Settings.With(new Dictionary<string, string?>
    {
        ["Slipway:Addons:Postgres:AdminConnectionString"] = AdminConnectionString,
        ["Slipway:Addons:Brokers:test:Url"] = Broker.Url.ToString(),
        ["Slipway:Addons:Brokers:test:Username"] = TestBroker.Username,
        ["Slipway:Addons:Brokers:test:Password"] = TestBroker.Password,
        ["Slipway:Addons:BuiltInPassword"] = BuiltInPassword,
        ["Slipway:Addons:PollInterval"] = "00:00:00.05",
    });

    protected override async Task StartDependenciesAsync()
    {
        AdminConnectionString = await Postgres.AdminConnectionStringAsync();
        await base.StartDependenciesAsync();
    }
}

/// <summary>A server and a <see cref="TestBroker"/> beside it, which the server knows only if its settings say so.</summary>
public class BrokerServerFixture(Database database = Database.Sqlite, PostgresServer? postgres = null) : SlipwayServerFixture(database, postgres)
{
    private TestBroker? _broker;

    public TestBroker Broker => _broker ?? throw new InvalidOperationException("The broker has not started.");

    protected override async Task StartDependenciesAsync() => _broker = Own(await TestBroker.StartAsync());
}

/// <summary>A server with no add-on settings at all (no PostgreSQL for the built-in broker), and a broker to add through the API.</summary>
public sealed class UnconfiguredAddonServerFixture() : BrokerServerFixture;

public sealed class SqliteAddonServerFixture(PostgresServer postgres) : AddonServerFixture(postgres);

public sealed class PostgresAddonServerFixture(PostgresServer postgres) : AddonServerFixture(postgres, Database.Postgres);

/// <summary>Short broker timeouts, so that a slow broker's test is quick.</summary>
public sealed class ImpatientAddonServerFixture(PostgresServer postgres) : AddonServerFixture(postgres)
{
    protected override IReadOnlyDictionary<string, string?> Settings => base.Settings.With(new Dictionary<string, string?>
    {
        ["Slipway:Addons:RequestTimeout"] = "00:00:02",
        ["Slipway:Addons:Brokers:down:Url"] = "http://127.0.0.1:9/",
    });
}

/// <summary>Requests never wait for the broker: every create and destroy answers 202 and finishes in the background.</summary>
public sealed class BackgroundAddonServerFixture(PostgresServer postgres) : AddonServerFixture(postgres)
{
    protected override IReadOnlyDictionary<string, string?> Settings => base.Settings.With(new Dictionary<string, string?> { ["Slipway:Addons:RequestWait"] = "00:00:00" });
}

/// <summary>The add-on server with the runtime's short timeouts, so app processes start and stop in seconds.</summary>
public sealed class RuntimeAddonServerFixture(PostgresServer postgres) : AddonServerFixture(postgres)
{
    protected override IReadOnlyDictionary<string, string?> Settings => base.Settings.With(ServerSettings.QuickRuntime);
}
