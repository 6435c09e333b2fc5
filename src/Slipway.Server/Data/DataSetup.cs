using System.Reflection;
using System.Runtime.Loader;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.Options;

namespace Slipway.Server.Data;

public static class DataSetup
{
    public const string SqliteMigrations = "Slipway.Server.Migrations.Sqlite";

    public const string PostgresMigrations = "Slipway.Server.Migrations.Postgres";

    /// <summary>
    /// Registers <see cref="SlipwayDb"/> on the configured provider: SQLite under the data folder
    /// unless <c>Slipway:Database:Provider</c> says <c>postgres</c>.
    /// </summary>
    public static IServiceCollection AddSlipwayData(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(SlipwayOptions.Section).Get<SlipwayOptions>() ?? new SlipwayOptions();
        var connectionString = configuration.GetConnectionString("Slipway");

        if (options.Database.Provider == "postgres")
        {
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new OptionsValidationException("ConnectionStrings:Slipway", typeof(SlipwayOptions), ["Slipway:Database:Provider is 'postgres' but ConnectionStrings:Slipway is not set."]);
            }

            services.AddPooledDbContextFactory<PostgresSlipwayDb>(o => o.UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(MigrationsAssembly(PostgresMigrations))));
            services.AddSingleton<IDbContextFactory<SlipwayDb>, FactoryOf<PostgresSlipwayDb>>();
        }
        else
        {
            connectionString ??= $"Data Source={Path.Combine(options.FullDataDir, "slipway.db")}";
            services.AddPooledDbContextFactory<SqliteSlipwayDb>(o => o.UseSqlite(connectionString, sqlite => sqlite.MigrationsAssembly(MigrationsAssembly(SqliteMigrations))).AddInterceptors(new SqliteBusyTimeout()));
            services.AddSingleton<IDbContextFactory<SlipwayDb>, FactoryOf<SqliteSlipwayDb>>();
        }

        // A request's context comes from the same pool and goes back to it when the request's scope ends.
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<SlipwayDb>>().CreateDbContext());

        return services;
    }

    /// <summary>The PostgreSQL advisory lock servers take to migrate one at a time (any number no other code uses).</summary>
    private const long MigrationLock = 0x51_1B_3A_7E;

    /// <summary>
    /// Applies pending migrations; on SQLite also switches the file to WAL mode. On PostgreSQL the
    /// servers that start at once migrate one after the other under a session advisory lock: EF's own
    /// lock lasts one transaction, which may cover one migration, so two servers could otherwise both
    /// apply the second of two pending migrations.
    /// </summary>
    public static async Task MigrateAsync(SlipwayDb db, CancellationToken ct)
    {
        if (db.Database.IsSqlite())
        {
            await db.Database.MigrateAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            return;
        }

        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({MigrationLock})", ct);
            await db.Database.MigrateAsync(ct);
        }
        finally
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({MigrationLock})", CancellationToken.None);
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// A provider's migrations assembly. Those assemblies reference this one, so this one cannot
    /// reference them: Slipway.Server.csproj builds them after the server and copies them beside
    /// Slipway.Server.dll, in its own output, in the output of projects that reference it (tests,
    /// benchmarks) and in its publish folder. No deps.json lists them, so the runtime would not
    /// find them by name; they are loaded by path from beside this assembly, unless a host already
    /// loaded one (<c>dotnet ef</c> loads the migrations project's own build).
    /// </summary>
    internal static Assembly MigrationsAssembly(string name) =>
        AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == name)
        ?? AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.Combine(Path.GetDirectoryName(typeof(SlipwayDb).Assembly.Location)!, name + ".dll"));

    /// <summary>Lets background work ask for the abstract context without knowing the provider.</summary>
    private sealed class FactoryOf<TDb>(IDbContextFactory<TDb> inner) : IDbContextFactory<SlipwayDb>
        where TDb : SlipwayDb
    {
        public SlipwayDb CreateDbContext() => inner.CreateDbContext();
    }
}

/// <summary>Lets <c>dotnet ef</c> make <see cref="SqliteSlipwayDb"/> without a host (see the README for the commands).</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteSlipwayDb>
{
    public SqliteSlipwayDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteSlipwayDb>().UseSqlite("Data Source=design.db", sqlite => sqlite.MigrationsAssembly(DataSetup.MigrationsAssembly(DataSetup.SqliteMigrations))).Options);
}

/// <summary>Lets <c>dotnet ef</c> make <see cref="PostgresSlipwayDb"/> without a host or a server.</summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresSlipwayDb>
{
    public PostgresSlipwayDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresSlipwayDb>().UseNpgsql("Host=localhost", npgsql => npgsql.MigrationsAssembly(DataSetup.MigrationsAssembly(DataSetup.PostgresMigrations))).Options);
}
