using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Slipway.Server.Data;

/// <summary>
/// Per connection: lets SQLite itself wait for a busy database (its busy handler retries within
/// milliseconds) instead of surfacing SQLITE_BUSY to Microsoft.Data.Sqlite, whose own retry sleeps
/// 150 ms at a time, for the writes that do not queue on the <see cref="WriteGate"/>. And
/// <c>synchronous=NORMAL</c>, which under WAL (<see cref="DataSetup.MigrateAsync"/>) syncs the log at
/// checkpoints instead of at every commit: a commit survives a crash of the process, while a power
/// loss or an OS crash may lose the last commits before the checkpoint (never corrupting the file).
/// </summary>
public sealed class SqliteBusyTimeout : DbConnectionInterceptor
{
    private const string Pragma = "PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
