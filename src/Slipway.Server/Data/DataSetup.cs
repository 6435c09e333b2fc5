using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.Options;

namespace Slipway.Server.Data;

public static class DataSetup
{
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

            services.AddDbContextFactory<PostgresSlipwayDb>(o => o.UseNpgsql(connectionString));
            services.AddScoped<SlipwayDb>(sp => sp.GetRequiredService<PostgresSlipwayDb>());
            services.AddSingleton<IDbContextFactory<SlipwayDb>, FactoryOf<PostgresSlipwayDb>>();
        }
        else
        {
            connectionString ??= $"Data Source={Path.Combine(options.FullDataDir, "slipway.db")}";
            services.AddDbContextFactory<SqliteSlipwayDb>(o => o.UseSqlite(connectionString).AddInterceptors(new SqliteBusyTimeout()));
            services.AddScoped<SlipwayDb>(sp => sp.GetRequiredService<SqliteSlipwayDb>());
            services.AddSingleton<IDbContextFactory<SlipwayDb>, FactoryOf<SqliteSlipwayDb>>();
        }

        return services;
    }

    /// <summary>Applies pending migrations; on SQLite also switches the file to WAL mode.</summary>
    public static async Task MigrateAsync(SlipwayDb db, CancellationToken ct)
    {
        await db.Database.MigrateAsync(ct);
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
    }

    /// <summary>Lets background work ask for the abstract context without knowing the provider.</summary>
    private sealed class FactoryOf<TDb>(IDbContextFactory<TDb> inner) : IDbContextFactory<SlipwayDb>
        where TDb : SlipwayDb
    {
        public SlipwayDb CreateDbContext() => inner.CreateDbContext();
    }
}

/// <summary>Lets <c>dotnet ef migrations add --context SqliteSlipwayDb</c> build the model without a host.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteSlipwayDb>
{
    public SqliteSlipwayDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteSlipwayDb>().UseSqlite("Data Source=design.db").Options);
}

/// <summary>Lets <c>dotnet ef migrations add --context PostgresSlipwayDb</c> build the model without a server.</summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresSlipwayDb>
{
    public PostgresSlipwayDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresSlipwayDb>().UseNpgsql("Host=localhost").Options);
}
