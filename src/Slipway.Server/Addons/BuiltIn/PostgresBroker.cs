using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Slipway.Server.Addons.BuiltIn;

/// <summary>
/// The <c>postgresql</c> service: each instance is a database and a role of the same name
/// (<c>addon_&lt;instance id&gt;</c>) on the server of <c>Slipway:Addons:Postgres:AdminConnectionString</c>;
/// binding gives the role a new random password and answers <c>database_url</c>.
/// </summary>
public sealed class PostgresBroker(IOptions<AddonOptions> options) : IBuiltInBroker, IAsyncDisposable
{
    public const string BrokerName = "postgresql";

    private static readonly OsbService Offering = new(
        "5b1b4b0e-6f0e-4d3c-9a65-7f5f1f0d2c01",
        "postgresql",
        "A PostgreSQL database with a role of its own, on the server Slipway is configured with.",
        Bindable: true,
        [new OsbPlan("5b1b4b0e-6f0e-4d3c-9a65-7f5f1f0d2c02", "standard", "One database and one role on the shared server.", Free: true)],
        new Dictionary<string, JsonElement>
        {
            ["displayName"] = JsonSerializer.SerializeToElement("PostgreSQL"),
            [OsbService.ConfigVarsMetadata] = JsonSerializer.SerializeToElement(new[] { "DATABASE_URL" }),
        });

    private readonly Lazy<NpgsqlDataSource> _admin = new(() => NpgsqlDataSource.Create(options.Value.Postgres.AdminConnectionString!));

    public string Name => BrokerName;

    public OsbService Service => Offering;

    public string? MissingConfiguration => string.IsNullOrWhiteSpace(options.Value.Postgres.AdminConnectionString)
        ? $"{AddonOptions.Section}:Postgres:AdminConnectionString is not set: give it a connection string to a PostgreSQL server as a role that may create databases and roles."
        : null;

    public async Task<bool> ProvisionAsync(Guid instanceId, CancellationToken ct)
    {
        var name = NameOf(instanceId);
        await using var connection = await _admin.Value.OpenConnectionAsync(ct);
        var roleExists = await ExistsAsync(connection, "SELECT 1 FROM pg_roles WHERE rolname = $1", name, ct);
        var databaseExists = await ExistsAsync(connection, "SELECT 1 FROM pg_database WHERE datname = $1", name, ct);
        if (!roleExists)
        {
            await ExecuteAsync(connection, $"CREATE ROLE {name} NOLOGIN", ct);
        }

        if (!databaseExists)
        {
            // Whoever runs this must be able to act as the new owner (a superuser, or a member of the role).
            await ExecuteAsync(connection, $"GRANT {name} TO CURRENT_USER", ct);
            await ExecuteAsync(connection, $"CREATE DATABASE {name} OWNER {name}", ct);
            await ExecuteAsync(connection, $"REVOKE ALL ON DATABASE {name} FROM PUBLIC", ct);
        }

        return !(roleExists && databaseExists);
    }

    public async Task<bool> ExistsAsync(Guid instanceId, CancellationToken ct)
    {
        await using var connection = await _admin.Value.OpenConnectionAsync(ct);
        return await ExistsAsync(connection, "SELECT 1 FROM pg_database WHERE datname = $1", NameOf(instanceId), ct);
    }

    public async Task<Dictionary<string, string>> BindAsync(Guid instanceId, Guid bindingId, CancellationToken ct)
    {
        var name = NameOf(instanceId);

        // Hex only, so it can stand in DDL (which takes no parameters) and in a URL as it is.
        var password = RandomNumberGenerator.GetHexString(48, lowercase: true);
        await using (var connection = await _admin.Value.OpenConnectionAsync(ct))
        {
            await ExecuteAsync(connection, $"ALTER ROLE {name} WITH LOGIN PASSWORD '{password}'", ct);
        }

        var server = new NpgsqlConnectionStringBuilder(options.Value.Postgres.AdminConnectionString);
        var host = (server.Host ?? "localhost").Split(',')[0].Trim();
        if (host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('['))
        {
            host = $"[{host}]";
        }

        return new Dictionary<string, string>
        {
            ["database_url"] = $"postgres://{name}:{password}@{host}:{server.Port}/{name}",
        };
    }

    public async Task UnbindAsync(Guid instanceId, Guid bindingId, CancellationToken ct)
    {
        var name = NameOf(instanceId);
        await using var connection = await _admin.Value.OpenConnectionAsync(ct);
        if (await ExistsAsync(connection, "SELECT 1 FROM pg_roles WHERE rolname = $1", name, ct))
        {
            await ExecuteAsync(connection, $"ALTER ROLE {name} WITH NOLOGIN PASSWORD NULL", ct);
        }
    }

    public async Task<bool> DeprovisionAsync(Guid instanceId, CancellationToken ct)
    {
        var name = NameOf(instanceId);
        await using var connection = await _admin.Value.OpenConnectionAsync(ct);
        var existed = await ExistsAsync(connection, "SELECT 1 FROM pg_database WHERE datname = $1", name, ct)
            | await ExistsAsync(connection, "SELECT 1 FROM pg_roles WHERE rolname = $1", name, ct);
        await ExecuteAsync(connection, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)", ct);
        await ExecuteAsync(connection, $"DROP ROLE IF EXISTS {name}", ct);
        return existed;
    }

    public async ValueTask DisposeAsync()
    {
        if (_admin.IsValueCreated)
        {
            await _admin.Value.DisposeAsync();
        }
    }

    /// <summary>The database's and the role's name; a GUID's hex digits, so safe as an SQL identifier.</summary>
    public static string NameOf(Guid instanceId) => "addon_" + instanceId.ToString("N");

    private static async Task<bool> ExistsAsync(NpgsqlConnection connection, string sql, string name, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = name } } };
        return await command.ExecuteScalarAsync(ct) is not null;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
