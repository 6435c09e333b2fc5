using Microsoft.EntityFrameworkCore;

namespace Slipway.Server.Data;

/// <summary>
/// Tells the other servers on the same PostgreSQL database that something changed (<c>pg_notify</c> on a
/// channel the route feed listens to). On SQLite there are no peers to tell: it does nothing.
/// </summary>
public static class PeerNotices
{
    public static async Task SendAsync(SlipwayDb db, string channel, string payload, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_notify({channel}, {payload})", ct);
        }
    }
}
