using Microsoft.EntityFrameworkCore;
using Slipway.Server.Data;

namespace Slipway.Server.Routing;

/// <summary>
/// Writes this server's <see cref="ProcessRecord"/>s: the local runtime hands it an app's routed web
/// processes whenever its route changes, and a background loop writes the latest of each app (older
/// snapshots of an app not yet written are dropped), then tells the other servers on PostgreSQL
/// (<c>NOTIFY</c>, see <see cref="RouteFeed"/>). On a clean stop this server's rows go.
/// </summary>
public sealed partial class ProcessRecords(
    IDbContextFactory<SlipwayDb> dbs,
    ServerIdentity server,
    TimeProvider clock,
    ILogger<ProcessRecords> logger) : BackgroundService
{
    public const string Channel = "slipway_routes";

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, Snapshot> _pending = [];
    private readonly SemaphoreSlim _signal = new(0);

    /// <summary>An app's web processes as they take traffic now (none: it runs nothing here any more).</summary>
    public void Publish(Guid appId, string appKey, int version, IReadOnlyList<(string DynoName, string Address)> processes)
    {
        lock (_gate)
        {
            _pending[appId] = new Snapshot(appId, appKey, version, processes);
        }

        _signal.Release();
    }

    /// <summary>Waits until what was published so far is written (tests, and the last write at stop).</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        while (true)
        {
            List<Snapshot> batch;
            lock (_gate)
            {
                batch = [.. _pending.Values];
                _pending.Clear();
            }

            if (batch.Count == 0)
            {
                return;
            }

            await WriteAsync(batch, ct);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await _signal.WaitAsync(stoppingToken);
                try
                {
                    await FlushAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogWriteFailed(e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await using var db = await dbs.CreateDbContextAsync(cancellationToken);
            await db.ProcessRecords.Where(r => r.ServerId == server.Id).ExecuteDeleteAsync(cancellationToken);
            await NotifyAsync(db, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's time to stop ran out: the peers drop these records once this server's heartbeat lapses.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogWriteFailed(e);
        }
    }

    private async Task WriteAsync(List<Snapshot> batch, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var apps = batch.Select(s => s.AppId).ToList();
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            await db.ProcessRecords.Where(r => r.ServerId == server.Id && apps.Contains(r.AppId)).ExecuteDeleteAsync(ct);
            foreach (var snapshot in batch)
            {
                db.ProcessRecords.AddRange(snapshot.Processes.Select(p =>
                    ProcessRecord.Create(server.Id, snapshot.AppId, snapshot.AppKey, snapshot.Version, "web", p.DynoName, p.Address, now)));
            }

            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }

        await NotifyAsync(db, ct);
    }

    private static Task NotifyAsync(SlipwayDb db, CancellationToken ct) => PeerNotices.SendAsync(db, Channel, "", ct);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record this server's web processes")]
    private partial void LogWriteFailed(Exception exception);

    private sealed record Snapshot(Guid AppId, string AppKey, int Version, IReadOnlyList<(string DynoName, string Address)> Processes);
}
