using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Microsoft.Extensions.DependencyInjection;
using Slipway.Server.Data;
using Slipway.Server.Releases;
using Slipway.TestSupport;

namespace Slipway.Bench;

/// <summary>
/// Writes many releases straight into the database with one INSERT ... SELECT, because making
/// 100,000 through the API would take most of an hour. The rows are what EF writes for a config
/// release (looked at in a row made through the API): on SQLite, Guids as uppercase TEXT and
/// times as <see cref="DateTimeOffsetToBinaryConverter"/> longs; on PostgreSQL, uuid and
/// timestamptz; enums by name; config vars as a JSON object, add-ons as an empty JSON array.
/// </summary>
public static class ReleaseSeeder
{
    private const string Columns = """
        "Id", "AppId", "Version", "SlugId", "ConfigVars", "Addons", "Description", "Trigger", "RollbackOf", "UserId", "Status", "FailureReason", "CreatedAt", "UpdatedAt"
        """;

    // Ids are a random prefix plus the version in hex: unique, and findable from the version.
    private const string SqliteInsert = $$"""
        WITH RECURSIVE seq(n) AS (SELECT @first UNION ALL SELECT n + 1 FROM seq WHERE n < @last)
        INSERT INTO "Releases" ({{Columns}})
        SELECT @idPrefix || printf('%012X', n), @appId, n, NULL, '{"' || @key || '":"' || n || '"}', '[]', @description, @trigger, NULL,
               @userId, @status, NULL, @createdAt + n * @step, @createdAt + n * @step
        FROM seq
        """;

    private const string PostgresInsert = $$"""
        INSERT INTO "Releases" ({{Columns}})
        SELECT (@idPrefix || lpad(to_hex(n), 12, '0'))::uuid, @appId, n, NULL, '{"' || @key || '":"' || n || '"}', '[]', @description, @trigger, NULL,
               @userId, @status, NULL, @createdAt + n * interval '1 second', @createdAt + n * interval '1 second'
        FROM generate_series(@first, @last) AS n
        """;

    /// <summary>The config var every seeded release sets, to a value unique to its version.</summary>
    public const string Key = "BENCH_VALUE";

    /// <summary>The id a seeded release of <paramref name="version"/> got.</summary>
    public static Guid IdOf(string idPrefix, int version) => Guid.Parse(idPrefix + version.ToString("X12", CultureInfo.InvariantCulture));

    /// <summary>
    /// Inserts versions <paramref name="first"/>..<paramref name="last"/> as succeeded config
    /// releases of one second apart, ending a day ago, and moves the app's release counter to
    /// <paramref name="last"/> so that the API's next release follows on.
    /// </summary>
    public static async Task<(TimeSpan Took, string IdPrefix)> SeedAsync(SlipwayTestServer server, Guid appId, Guid userId, int first, int last)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SlipwayDb>();
        var postgres = db is PostgresSlipwayDb;
        var idPrefix = Guid.NewGuid().ToString("D").ToUpperInvariant()[..24];
        var createdAt = server.Services.GetRequiredService<TimeProvider>().GetUtcNow().AddDays(-1).AddSeconds(-last);

        var started = Stopwatch.GetTimestamp();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandTimeout = 600;
            insert.CommandText = postgres ? PostgresInsert : SqliteInsert;
            Add(insert, "first", first);
            Add(insert, "last", last);
            Add(insert, "idPrefix", idPrefix);
            Add(insert, "appId", postgres ? appId : Text(appId));
            Add(insert, "userId", postgres ? userId : Text(userId));
            Add(insert, "key", Key);
            Add(insert, "description", $"Set {Key} config vars");
            Add(insert, "trigger", nameof(ReleaseTrigger.Config));
            Add(insert, "status", nameof(ReleaseStatus.Succeeded));
            if (postgres)
            {
                Add(insert, "createdAt", createdAt);
            }
            else
            {
                Add(insert, "createdAt", Binary(createdAt));

                // One second in DateTimeOffsetToBinaryConverter's units: ticks / 1000, shifted past the offset bits.
                Add(insert, "step", Binary(DateTimeOffset.UnixEpoch.AddSeconds(1)) - Binary(DateTimeOffset.UnixEpoch));
            }

            var inserted = await insert.ExecuteNonQueryAsync();
            if (inserted != last - first + 1)
            {
                throw new InvalidOperationException($"Seeding inserted {inserted} releases, not {last - first + 1}.");
            }
        }

        await using (var counter = connection.CreateCommand())
        {
            counter.Transaction = transaction;
            counter.CommandText = """UPDATE "Apps" SET "ReleaseCounter" = @last WHERE "Id" = @appId""";
            Add(counter, "last", last);
            Add(counter, "appId", postgres ? appId : Text(appId));
            if (await counter.ExecuteNonQueryAsync() != 1)
            {
                throw new InvalidOperationException($"App {appId} not found to move its release counter.");
            }
        }

        await transaction.CommitAsync();

        // Autovacuum would analyze a table that grew this much; do not wait for it.
        if (postgres)
        {
            await db.Database.ExecuteSqlRawAsync("""ANALYZE "Releases" """);
        }

        return (Stopwatch.GetElapsedTime(started), idPrefix);
    }

    /// <summary>The database engine's own version, for the report.</summary>
    public static async Task<string> EngineVersionAsync(SlipwayTestServer server)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SlipwayDb>();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = db is PostgresSlipwayDb ? "SHOW server_version" : "SELECT sqlite_version()";
        var version = Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) ?? "?";
        return db is PostgresSlipwayDb ? $"PostgreSQL {version.Split(' ')[0]}" : $"SQLite {version}";
    }

    /// <summary>What EF's SQLite provider writes for a Guid: uppercase TEXT, not Microsoft.Data.Sqlite's default BLOB.</summary>
    private static string Text(Guid id) => id.ToString("D").ToUpperInvariant();

    private static long Binary(DateTimeOffset time) => (long)new DateTimeOffsetToBinaryConverter().ConvertToProvider(time)!;

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
