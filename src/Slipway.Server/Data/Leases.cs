using Microsoft.EntityFrameworkCore;

namespace Slipway.Server.Data;

/// <summary>
/// Claims work in the database so that several Slipway servers on one PostgreSQL do it once:
/// an UPDATE that only succeeds when the lease is free, lapsed or already ours, else an INSERT
/// that the primary key lets only one server win. A held lease is renewed in the background
/// until it is disposed; if its holder dies, it lapses and another server can take the work.
/// Its writes queue on the <see cref="WriteGate"/> with the release writes (on SQLite), instead of
/// racing them in SQLite's busy handler.
/// </summary>
public sealed partial class Leases(IDbContextFactory<SlipwayDb> dbs, WriteGate gate, ServerIdentity server, TimeProvider clock, ILogger<Leases> logger)
{
    private TimeProvider Clock => clock;

    /// <summary>Claims <paramref name="scope"/> for <paramref name="ttl"/>, renewed every third of it; null when another server holds it.</summary>
    public async Task<HeldLease?> TryHoldAsync(string scope, TimeSpan ttl, CancellationToken ct)
    {
        if (!await TryClaimAsync(scope, ttl, ct))
        {
            return null;
        }

        return new HeldLease(this, scope, ttl);
    }

    /// <summary>True when a server other than this one holds an unexpired lease on <paramref name="scope"/>.</summary>
    public async Task<bool> HeldElsewhereAsync(string scope, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        return await db.WorkLeases.AnyAsync(l => l.Scope == scope && l.Holder != server.Id && l.ExpiresAt > now, ct);
    }

    /// <summary>
    /// Claims (or extends this server's claim on) <paramref name="scope"/> until now + <paramref name="ttl"/>,
    /// with no background renewal: for periodic work whose holder claims again each round.
    /// </summary>
    public async Task<bool> TryClaimAsync(string scope, TimeSpan ttl, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        using var queued = await gate.EnterAsync(db, ct);
        var now = clock.GetUtcNow();
        var expires = now + ttl;
        var taken = await db.WorkLeases
            .Where(l => l.Scope == scope && (l.Holder == server.Id || l.ExpiresAt < now))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Holder, server.Id).SetProperty(l => l.ExpiresAt, expires), ct);
        if (taken == 1)
        {
            return true;
        }

        if (await db.WorkLeases.AnyAsync(l => l.Scope == scope, ct))
        {
            return false;
        }

        db.WorkLeases.Add(WorkLease.Create(scope, server.Id, expires));
        return await db.TrySaveUniqueAsync(ct);
    }

    private async Task<bool> RenewAsync(string scope, TimeSpan ttl, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        using var queued = await gate.EnterAsync(db, ct);
        var expires = clock.GetUtcNow() + ttl;
        return await db.WorkLeases
            .Where(l => l.Scope == scope && l.Holder == server.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, expires), ct) == 1;
    }

    /// <summary>Extends every lease this server holds whose scope starts with <paramref name="prefix"/> (e.g. the apps it owns).</summary>
    public async Task RenewAllAsync(string prefix, TimeSpan ttl, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var expires = clock.GetUtcNow() + ttl;
        await db.WorkLeases
            .Where(l => l.Holder == server.Id && l.Scope.StartsWith(prefix))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, expires), ct);
    }

    /// <summary>Gives up every lease this server holds whose scope starts with <paramref name="prefix"/>.</summary>
    public async Task GiveUpAllAsync(string prefix)
    {
        await using var db = await dbs.CreateDbContextAsync();
        await db.WorkLeases.Where(l => l.Holder == server.Id && l.Scope.StartsWith(prefix)).ExecuteDeleteAsync();
    }

    /// <summary>
    /// The leases an earlier run of this very server (same data folder) held whose scope starts with
    /// <paramref name="prefix"/> become this run's: that run is over, so nobody need wait for them to lapse.
    /// </summary>
    public async Task AdoptAsync(string earlierId, string prefix, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await db.WorkLeases
            .Where(l => l.Holder == earlierId && l.Scope.StartsWith(prefix))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Holder, server.Id), ct);
    }

    /// <summary>Gives up this server's lease on <paramref name="scope"/>, if it holds one.</summary>
    public async Task GiveUpAsync(string scope)
    {
        await using var db = await dbs.CreateDbContextAsync();
        using var queued = await gate.EnterAsync(db, CancellationToken.None);
        await db.WorkLeases.Where(l => l.Scope == scope && l.Holder == server.Id).ExecuteDeleteAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the lease on {Scope}: another server may take that work over")]
    private partial void LogLost(string scope);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew the lease on {Scope}")]
    private partial void LogRenewFailed(Exception exception, string scope);

    /// <summary>A lease this server holds; renewed until disposed, then given up.</summary>
    public sealed class HeldLease : IAsyncDisposable
    {
        private readonly Leases _leases;
        private readonly string _scope;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewing;

        internal HeldLease(Leases leases, string scope, TimeSpan ttl)
        {
            _leases = leases;
            _scope = scope;
            _renewing = RenewLoopAsync(ttl);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _renewing;
            _stop.Dispose();
            await _leases.GiveUpAsync(_scope);
        }

        private async Task RenewLoopAsync(TimeSpan ttl)
        {
            using var timer = new PeriodicTimer(ttl / 3, _leases.Clock);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    try
                    {
                        if (!await _leases.RenewAsync(_scope, ttl, _stop.Token))
                        {
                            _leases.LogLost(_scope);
                            return;
                        }
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        _leases.LogRenewFailed(e, _scope);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
