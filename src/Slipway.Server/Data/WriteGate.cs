using Microsoft.EntityFrameworkCore;

namespace Slipway.Server.Data;

/// <summary>
/// Queues write transactions in-process on SQLite. SQLite has one writer at a time, and
/// Microsoft.Data.Sqlite waits for a busy database by sleeping its thread 150 ms at a time, so
/// concurrent releases would stall; an async queue keeps them fast. On PostgreSQL the database's
/// own row locks order writers (across servers too), and the gate lets everything through.
/// </summary>
public sealed class WriteGate : IDisposable
{
    private readonly SemaphoreSlim _sqlite = new(1, 1);

    public async ValueTask<IDisposable?> EnterAsync(SlipwayDb db, CancellationToken ct)
    {
        if (!db.Database.IsSqlite())
        {
            return null;
        }

        await _sqlite.WaitAsync(ct);
        return new Release(_sqlite);
    }

    public void Dispose() => _sqlite.Dispose();

    private sealed class Release(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}
