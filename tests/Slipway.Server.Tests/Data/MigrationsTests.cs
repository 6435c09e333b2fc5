using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Slipway.Server.Data;
using Slipway.TestSupport;

namespace Slipway.Server.Tests.Data;

/// <summary>
/// The model (the mappings beside the entities) and each provider's migrations agree: a mapping
/// changed without its migration fails here, on the provider that lacks it.
/// </summary>
public abstract class MigrationsTests(SlipwayServerFixture fixture, string migrationsAssembly)
{
    [Fact]
    public async Task Model_HasNoChangesMissingFromTheMigrations()
    {
        await using var scope = fixture.Server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SlipwayDb>();

        Assert.False(db.Database.HasPendingModelChanges());
    }

    [Fact]
    public async Task StartedServer_HasAppliedEveryMigrationOfItsProvidersAssembly()
    {
        await using var scope = fixture.Server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SlipwayDb>();

        Assert.Equal(migrationsAssembly, db.GetService<IMigrationsAssembly>().Assembly.GetName().Name);
        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync(TestContext.Current.CancellationToken));
    }
}

public sealed class SqliteMigrationsTests(SqliteServerFixture fixture)
    : MigrationsTests(fixture, DataSetup.SqliteMigrations), IClassFixture<SqliteServerFixture>;

public sealed class PostgresMigrationsTests(PostgresServerFixture fixture)
    : MigrationsTests(fixture, DataSetup.PostgresMigrations), IClassFixture<PostgresServerFixture>;
