namespace Slipway.Server.Data;

/// <summary>
/// Queues this server's release transactions (<see cref="Releases.ReleaseService"/>) on SQLite,
/// where one transaction writes at a time and an append holds that lock from its first statement
/// to COMMIT. Without the gate the other appends would wait in SQLite's busy handler
/// (<see cref="SqliteBusyTimeout"/>, still there for every write that does not come through here),
/// which polls in sleeps that grow to 100 ms, in no order, and holds a thread-pool thread for the
/// whole wait, because Microsoft.Data.Sqlite runs its async methods synchronously: sixteen appends
/// to one app would park fifteen threads. Here they wait without a thread, in arrival order, and
/// each starts as soon as the one before commits.
/// </summary>
public sealed class WriteGate : SqliteLane;
