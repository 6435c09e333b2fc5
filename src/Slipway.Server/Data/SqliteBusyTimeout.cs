using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Slipway.Server.Data;

/// <summary>
/// Per connection: lets SQLite itself wait for a busy database (its busy handler retries within
/// milliseconds) instead of surfacing SQLITE_BUSY to Microsoft.Data.Sqlite, whose own retry sleeps
/// 150 ms at a time, for the writes that do not queue on the <see cref="WriteGate"/>. And
/// <c>synchronous=NORMAL</c>, which under WAL (<see cref="DataSetup.MigrateAsync"/>) syncs the log at
/// checkpoints instead of at every commit: a commit survives a crash of the process, while a power
/// loss or an OS crash may lose the last commits before the checkpoint (never corrupting the file).
/// Both are settings of SQLite's connection, which Microsoft.Data.Sqlite pools and hands out again
/// on the next open: they are set once per SQLite connection, not at every open (each query of a
/// context opens one).
/// </summary>
public sealed class SqliteBusyTimeout : DbConnectionInterceptor
{
    private const string Pragma = "PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL;";

    private static readonly object Set = new();

    /// <summary>The SQLite connections (their handles) set up already; one goes when the pool lets it go.</summary>
    private readonly ConditionalWeakTable<object, object> _configured = [];

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (IsConfigured(connection, out var handle))
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        command.ExecuteNonQuery();
        Remember(handle);
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (IsConfigured(connection, out var handle))
        {
            return;
        }

        await using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        await command.ExecuteNonQueryAsync(cancellationToken);
        Remember(handle);
    }

    private bool IsConfigured(DbConnection connection, out object? handle)
    {
        handle = (connection as SqliteConnection)?.Handle;
        return handle is not null && _configured.TryGetValue(handle, out _);
    }

    private void Remember(object? handle)
    {
        if (handle is not null)
        {
            _configured.TryAdd(handle, Set);
        }
    }
}
