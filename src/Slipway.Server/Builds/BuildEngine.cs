using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Server.Data;

namespace Slipway.Server.Builds;

/// <summary>
/// Takes builds off the <see cref="BuildQueue"/> and runs at most
/// <see cref="BuildOptions.Concurrency"/> at once. On start, and every lease period after, it ends
/// the pending builds whose server is gone (its heartbeat lapsed: an earlier run of this server, or
/// another server sharing the database that died); on start it also clears leftover workspaces; on stop it cancels what runs
/// (killing their processes) and ends what still waits. Expired uploads are purged hourly.
/// </summary>
public sealed partial class BuildEngine(
    BuildQueue queue,
    BuildRunner runner,
    IDbContextFactory<SlipwayDb> dbs,
    BuildPaths paths,
    IOptions<BuildOptions> options,
    IOptions<Runtime.RuntimeOptions> runtimeOptions,
    ServerIdentity server,
    TimeProvider clock,
    ILogger<BuildEngine> logger) : BackgroundService
{
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromHours(1);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the server listens: no build of this run can be pending yet.
        BuildPaths.Remove(paths.Work);
        BuildPaths.Remove(paths.Incoming);
        BuildPaths.Remove(paths.UploadsIncoming);
        await FailOrphanedAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    /// <summary>
    /// Fails the pending builds whose server is gone: its heartbeat lease has lapsed (it stopped or
    /// died). Builds queued or running on another live server sharing the database are left alone.
    /// </summary>
    private async Task FailOrphanedAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var live = await db.WorkLeases.AsNoTracking()
            .Where(l => l.Scope.StartsWith("server:") && l.ExpiresAt > now)
            .Select(l => l.Scope)
            .ToListAsync(ct);
        var pending = await db.Builds.Where(b => b.Status == BuildStatus.Pending && b.Server != server.Id).ToListAsync(ct);
        var orphaned = pending.Where(b => b.Server is null || !live.Contains(ServerHeartbeat.ScopeOf(b.Server))).ToList();
        foreach (var build in orphaned)
        {
            build.MarkFailed("The server stopped before this build finished.", now);
            if (!await db.BuildLogs.AnyAsync(l => l.BuildId == build.Id, ct))
            {
                db.BuildLogs.Add(BuildLog.Create(build.Id, [new OutputLine(" !     The server stopped before this build finished.", true)]));
            }
        }

        await db.SaveChangesAsync(ct);
        if (orphaned.Count > 0)
        {
            Log.InterruptedBuildsFailed(logger, orphaned.Count);
        }
    }

    private async Task WatchForOrphansAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(runtimeOptions.Value.Lease, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await FailOrphanedAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.PurgeFailed(logger, e);
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
        while (queue.Reader.TryRead(out var job))
        {
            if (job.Cancel("The server stopped before the build started."))
            {
                await runner.FailQueuedAsync(job, job.CancelReason!);
            }
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.Concurrency).Select(_ => WorkAsync(stoppingToken)).Append(PurgeAsync(stoppingToken)).Append(WatchForOrphansAsync(stoppingToken)));

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var job in queue.Reader.ReadAllAsync(stoppingToken))
            {
                if (job.TryStart())
                {
                    await runner.RunAsync(job, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task PurgeAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PurgeInterval, clock);
        try
        {
            do
            {
                await PurgeExpiredUploadsAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task PurgeExpiredUploadsAsync(CancellationToken ct)
    {
        try
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            var now = clock.GetUtcNow();
            var expired = await db.SourceUploads.Where(s => s.ExpiresAt < now).Select(s => s.Id).ToListAsync(ct);
            foreach (var id in expired)
            {
                BuildPaths.Remove(paths.UploadOf(id));
            }

            await db.SourceUploads.Where(s => expired.Contains(s.Id)).ExecuteDeleteAsync(ct);
            if (expired.Count > 0)
            {
                Log.UploadsPurged(logger, expired.Count);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.PurgeFailed(logger, e);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} builds were left pending by an earlier run and are marked failed")]
        public static partial void InterruptedBuildsFailed(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Information, Message = "{Count} expired source uploads removed")]
        public static partial void UploadsPurged(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Purging expired source uploads failed")]
        public static partial void PurgeFailed(ILogger logger, Exception exception);
    }
}
