using Microsoft.EntityFrameworkCore;

namespace Slipway.Server.Data;

/// <summary>
/// Work that takes turns on SQLite and runs side by side on PostgreSQL: on SQLite one holder at a time,
/// the others waiting without a thread, in arrival order; on PostgreSQL (whose row locks order writers,
/// across servers too) <see cref="EnterAsync"/> lets everything through and returns null.
/// </summary>
public class SqliteLane
{
    private readonly SemaphoreSlim _turn = new(1, 1);

    /// <summary>Waits for this lane's turn on SQLite; dispose the result (null on PostgreSQL) to pass it on.</summary>
    public async ValueTask<IDisposable?> EnterAsync(SlipwayDb db, CancellationToken ct)
    {
        if (!db.Database.IsSqlite())
        {
            return null;
        }

        await _turn.WaitAsync(ct);
        return new Turn(_turn);
    }

    private sealed class Turn(SemaphoreSlim semaphore) : IDisposable
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
