using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Server.Data;
using Slipway.Server.Hooks;

namespace Slipway.Server.Builds;

/// <summary>
/// Runs the builds of the <see cref="BuildQueue"/>, at most <see cref="BuildOptions.Concurrency"/> at
/// once. On start, and every lease period after, it ends the pending builds that nothing will end:
/// those whose server is gone (its heartbeat lapsed: an earlier run of this server, or another server
/// sharing the database that died), and those of this server that no job holds any more (their end
/// could not be recorded). On start it also stops the build processes an earlier run left running (a crash:
/// they are recorded in the <see cref="Runtime.ProcessRegistry"/>) and clears leftover workspaces; on stop it cancels what runs
/// (killing their processes) and ends what still waits. Expired uploads are purged hourly.
/// </summary>
public sealed partial class BuildEngine(
    BuildQueue queue,
    BuildRunner runner,
    IDbContextFactory<SlipwayDb> dbs,
    BuildPaths paths,
    Runtime.ProcessRegistry registry,
    IOptions<Runtime.RuntimeOptions> runtimeOptions,
    ServerIdentity server,
    TimeProvider clock,
    HookEvents hooks,
    ILogger<BuildEngine> logger) : BackgroundService
{
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromHours(1);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the server listens: no build of this run can be pending yet, and no step of one runs.
        var leftovers = registry.Leftovers(builds: true);
        if (leftovers.Count > 0)
        {
            Log.LeftoverBuildProcessesStopped(logger, leftovers.Count);
            await Task.WhenAll(leftovers.Select(pgid => Runtime.ProcessGroups.TerminateAsync(pgid, TimeSpan.Zero, clock, cancellationToken)));
        }

        BuildPaths.Remove(paths.Work);
        BuildPaths.Remove(paths.Incoming);
        BuildPaths.Remove(paths.UploadsIncoming);
        await FailOrphanedAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    /// <summary>
    /// Fails the pending builds whose server is gone (its heartbeat lease has lapsed: it stopped or
    /// died), and this server's pending builds that are neither queued nor running here and have not
    /// changed for a lease period (their job ended but could not record it, so nothing else will).
    /// Builds queued or running on another live server sharing the database are left alone.
    /// </summary>
    private async Task FailOrphanedAsync(CancellationToken ct)
    {
        // Read before the builds: a job that leaves the queue after this has recorded its end first, so the query below sees it ended.
        var here = queue.InFlight.Select(j => j.BuildId).ToHashSet();
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var live = await db.WorkLeases.AsNoTracking()
            .Where(l => l.Scope.StartsWith("server:") && l.ExpiresAt > now)
            .Select(l => l.Scope)
            .ToListAsync(ct);
        var pending = await db.Builds.Where(b => b.Status == BuildStatus.Pending).ToListAsync(ct);
        var quiet = now - runtimeOptions.Value.Lease;
        var orphaned = pending
            .Select(b => (Build: b, Reason: b.Server == server.Id
                ? (here.Contains(b.Id) || b.UpdatedAt > quiet ? null : "The build ended without its outcome being recorded.")
                : (b.Server is null || !live.Contains(ServerHeartbeat.ScopeOf(b.Server)) ? "The server stopped before this build finished." : null)))
            .Where(o => o.Reason is not null)
            .ToList();
        foreach (var (build, reason) in orphaned)
        {
            build.MarkFailed(reason!, now);
            await hooks.BuildEndedAsync(db, build, ct);
            if (!await db.BuildLogs.AnyAsync(l => l.BuildId == build.Id, ct))
            {
                db.BuildLogs.Add(BuildLog.Create(build.Id, [new OutputLine(" !     " + reason, true)]));
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
                    Log.OrphanScanFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(RunBuildsAsync(stoppingToken), PurgeAsync(stoppingToken), WatchForOrphansAsync(stoppingToken));

    /// <summary>Runs builds until the server stops; then those still waiting end failed.</summary>
    private async Task RunBuildsAsync(CancellationToken stoppingToken)
    {
        foreach (var job in await queue.RunAsync(runner.RunAsync, stoppingToken))
        {
            await runner.FailQueuedAsync(job, "The server stopped before the build started.");
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
        [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} builds that nothing would end were marked failed")]
        public static partial void InterruptedBuildsFailed(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping {Count} process groups of builds left running by an earlier run of the server.")]
        public static partial void LeftoverBuildProcessesStopped(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Information, Message = "{Count} expired source uploads removed")]
        public static partial void UploadsPurged(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Purging expired source uploads failed")]
        public static partial void PurgeFailed(ILogger logger, Exception exception);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for pending builds that nothing would end failed")]
        public static partial void OrphanScanFailed(ILogger logger, Exception exception);
    }
}
