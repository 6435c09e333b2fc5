namespace Slipway.Server.Tests.Runtime;

/// <summary>A real server whose runtime uses short timeouts (<see cref="ServerSettings.QuickRuntime"/>), so failures show in seconds; shared by a test class.</summary>
public class RuntimeServerFixture : SlipwayServerFixture
{
    public RuntimeServerFixture()
    {
    }

    protected RuntimeServerFixture(PostgresServer postgres)
        : base(Database.Postgres, postgres)
    {
    }

    protected override IReadOnlyDictionary<string, string?> Settings => ServerSettings.QuickRuntime;

    public Task<RuntimeApp> CreateAppAsync() => RuntimeApp.CreateAsync(Server.Api(), Server.RouterPort);
}

/// <summary>The runtime's server on PostgreSQL.</summary>
public sealed class PostgresRuntimeServerFixture(PostgresServer postgres) : RuntimeServerFixture(postgres);
