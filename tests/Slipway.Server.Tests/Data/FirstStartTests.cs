using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Slipway.Server.Data;
using Slipway.TestSupport;

namespace Slipway.Server.Tests.Data;

/// <summary>Servers started at once on one new PostgreSQL database: one migrates it and makes the admin, all of them start.</summary>
public sealed class FirstStartTests(PostgresServer postgres)
{
    [Fact]
    public async Task TwoServers_StartedAtOnceOnANewDatabase_BothStartWithOneSchemaAndOneAdmin()
    {
        var database = await postgres.CreateDatabaseAsync();
        var starting = new[]
        {
            SlipwayTestServer.StartAsync(Database.Postgres, postgres, sharedConnectionString: database),
            SlipwayTestServer.StartAsync(Database.Postgres, postgres, sharedConnectionString: database),
        };
        try
        {
            var servers = await Task.WhenAll(starting);

            foreach (var server in servers)
            {
                using var client = server.Client();
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/account", TestContext.Current.CancellationToken)).StatusCode);
            }

            await using var scope = servers[0].Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<SlipwayDb>();
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync(TestContext.Current.CancellationToken));
            Assert.Equal(1, await db.Users.CountAsync(TestContext.Current.CancellationToken));
        }
        finally
        {
            foreach (var start in starting.Where(s => s.IsCompletedSuccessfully))
            {
                await (await start).DisposeAsync();
            }

            await postgres.DropDatabaseAsync(database);
        }
    }
}
