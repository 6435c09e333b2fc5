using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Hooks;
using Slipway.Server.Jobs;
using Slipway.Server.Logs;
using Slipway.Server.Releases;

namespace Slipway.Server.Runtime;

/// <summary>Work for the runtime on one app; the deployer runs an app's jobs one after another, in order.</summary>
public abstract class RuntimeJob(Guid appId) : Job(appId)
{
    public Guid AppId => Key;

    /// <summary>Takes the app's pending releases, oldest first, to succeeded or failed.</summary>
    public sealed class Deploy(Guid appId) : RuntimeJob(appId);

    /// <summary>Drives what runs toward the current release × formation (after a scale, and at start-up).</summary>
    public sealed class Converge(Guid appId) : RuntimeJob(appId);

    /// <summary>Restarts a type, one process, or (null) all of them.</summary>
    public sealed class Restart(Guid appId, string? target, bool fromPeer = false) : RuntimeJob(appId)
    {
        public string? Target { get; } = target;

        /// <summary>Asked by another server for an app this one owns: never passed on again.</summary>
        public bool FromPeer { get; } = fromPeer;
    }

    /// <summary>Stops everything of a destroyed app.</summary>
    public sealed class Stop(Guid appId) : RuntimeJob(appId);
}

/// <summary>
/// Every release (any trigger, rollback too) and every scale or restart reaches the runtime through
/// here: a <see cref="JobQueue{TJob}"/> keyed by app, so that an app's jobs run one at a time and in
/// order (a later release waits for an earlier one) while different apps deploy side by side, at most
/// <see cref="RuntimeOptions.DeployConcurrency"/> at once, with at most <see cref="RuntimeOptions.QueueCapacity"/>
/// waiting. The release's status is what the API reads: pending until this takes it to succeeded or failed.
/// At start-up it first clears what an earlier run left, then converges every app and resumes pending releases.
/// Several servers may share one database: deploying an app is claimed with a <see cref="WorkLease"/> (the
/// app's owner lease with the local runtime, its deploy lease with a cluster runtime), so a release is
/// deployed by exactly one of them. A release left pending by a server that died, or by a deploy
/// job that failed before it could record the end, is deployed again once no server holds its app's lease (a
/// periodic scan finds it), so no release stays pending for good.
/// With the local runtime an app runs on one server at a time, its <b>owner</b> (<see cref="OwnerScope"/>, a
/// lease the owner's heartbeat renews): the server that deploys or converges an app first claims it, and a
/// server that cannot (a live peer owns it) leaves the app to that peer and runs none of it. The same
/// scan converges the apps this server owns (a scale made through a peer reaches it so) and takes over
/// those whose owner's lease lapsed (it died); every server's router reaches the owner's processes.
/// </summary>
public sealed partial class Deployer(
    IDbContextFactory<SlipwayDb> dbs,
    WriteGate gate,
    IAppRuntime runtime,
    Leases leases,
    ServerIdentity server,
    AppLogStore logs,
    TimeProvider clock,
    IOptions<RuntimeOptions> options,
    HookEvents hooks,
    DeployWakeup wakeup,
    ILogger<Deployer> logger) : BackgroundService
{
    private readonly JobQueue<RuntimeJob> _jobs = new(new JobLimits(options.Value.QueueCapacity, options.Value.DeployConcurrency), logger);

    /// <summary>
    /// The deploys' database work (reading the next release, recording its end) one app at a time on SQLite,
    /// where it would otherwise meet up to <see cref="RuntimeOptions.DeployConcurrency"/> deploys at once on
    /// one writer and two cores, ahead of the requests making releases; starting and stopping processes,
    /// and waiting for them to boot, stays concurrent.
    /// </summary>
    private readonly SqliteLane _records = new();

    /// <summary>The formation stamp (<see cref="RuntimeSettings.UpdatedAt"/>) each app was last converged for by the scan.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, DateTimeOffset> _converged = new();

    /// <summary>When this server last claimed (or took) the owner lease of each app it owns.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, DateTimeOffset> _ownerClaims = new();

    public ValueTask EnqueueAsync(RuntimeJob job, CancellationToken ct = default) => _jobs.EnqueueAsync(job, ct);

    /// <summary>
    /// Queues a deploy of the app's pending releases, unless one already waits last in its lane (it takes
    /// every release pending when it runs): a stream of releases to one app keeps at most one deploy waiting
    /// behind the running one, rather than one per release until the queue is full.
    /// </summary>
    public async ValueTask EnqueueDeployAsync(Guid appId, CancellationToken ct = default) =>
        await _jobs.EnqueueUnlessCoveredAsync(new RuntimeJob.Deploy(appId), waiting => waiting is RuntimeJob.Deploy, ct);

    /// <summary>Stops every process of an app (after whatever its lane is doing) and waits until they are gone.</summary>
    public async Task StopAppAsync(Guid appId, CancellationToken ct)
    {
        var stop = new RuntimeJob.Stop(appId);
        await EnqueueAsync(stop, ct);
        await stop.Ended.WaitAsync(ct);
        switch (stop.Status)
        {
            case JobStatus.Failed:
                throw new InvalidOperationException($"The processes of app {appId} could not be stopped: {stop.FailureReason}");
            case JobStatus.Cancelled:
                throw new OperationCanceledException(stop.CancelReason);
        }
    }

    /// <summary>The runtime's view of a release: its slug's process types, its config, the app's formation and health settings.</summary>
    public static ReleaseSpec SpecOf(App app, Release release, RuntimeSettings? settings, RuntimeOptions options)
    {
        var processTypes = release.Slug?.ProcessTypes ?? [];
        return new ReleaseSpec(
            app.Id,
            app.Key,
            release.Id,
            release.Version,
            release.Slug?.Digest,
            processTypes,
            ReleaseEnvironment.Of(release),
            RuntimeSettings.FormationOf(settings, processTypes),
            settings?.HealthCheckPath,
            TimeSpan.FromSeconds(settings?.BootTimeoutSeconds ?? options.BootTimeoutSeconds));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Before any job runs: what an earlier run left behind goes first.
            await runtime.CleanUpEarlierRunAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStartupFailed(e);
        }

        // A peer's restart request for an app this server runs (never waits for queue room: a request that finds none is dropped).
        wakeup.RestartRequested += (appId, target) => _jobs.TryEnqueue(new RuntimeJob.Restart(appId, target, fromPeer: true));
        var running = _jobs.RunAsync(RunAsync, stoppingToken);
        try
        {
            await QueueStartupWorkAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogStartupFailed(e);
        }

        // Jobs still waiting at stop are dropped: their releases stay pending and are resumed at the next start.
        await Task.WhenAll(running, ScanForUnclaimedAsync(stoppingToken));
    }

    /// <summary>Brings back what the database says should run, then the releases a stop or crash left pending.</summary>
    private async Task QueueStartupWorkAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var apps = await db.Apps.AsNoTracking().Select(a => a.Id).ToListAsync(ct);
        foreach (var appId in apps)
        {
            await EnqueueAsync(new RuntimeJob.Converge(appId), ct);
        }

        var pending = await db.Releases.AsNoTracking()
            .Where(r => r.Status == ReleaseStatus.Pending)
            .Select(r => r.AppId)
            .Distinct()
            .ToListAsync(ct);
        foreach (var appId in pending)
        {
            await EnqueueDeployAsync(appId, ct);
        }
    }

    private async Task RunAsync(RuntimeJob job, CancellationToken ct)
    {
        switch (job)
        {
            case RuntimeJob.Deploy deploy:
                await DeployPendingAsync(deploy.AppId, ct);
                break;
            case RuntimeJob.Converge converge:
                await ConvergeAsync(converge.AppId, ct);
                break;
            case RuntimeJob.Restart restart:
                if (runtime.RunsOnThisServer && await leases.HeldElsewhereAsync(OwnerScope(restart.AppId), ct))
                {
                    if (restart.FromPeer)
                    {
                        // Every server hears the request; the owner is the one that acts on it.
                        break;
                    }

                    // Its processes run on a peer: that peer restarts them (PostgreSQL tells it).
                    await using var db = await dbs.CreateDbContextAsync(ct);
                    await PeerNotices.SendAsync(db, DeployWakeup.RestartChannel, DeployWakeup.RestartPayload(restart.AppId, restart.Target), ct);

                    break;
                }

                await runtime.RestartAsync(restart.AppId, restart.Target, ct);
                break;
            case RuntimeJob.Stop stop:
                await runtime.StopAppAsync(stop.AppId, ct);
                logs.Remove(stop.AppId);
                if (runtime.RunsOnThisServer && await leases.HeldElsewhereAsync(OwnerScope(stop.AppId), ct))
                {
                    // The owner stops its processes of the destroyed app at its next scan: wake it.
                    await using var db = await dbs.CreateDbContextAsync(ct);
                    await PeerNotices.SendAsync(db, DeployWakeup.Channel, "", ct);
                }
                else
                {
                    _ownerClaims.TryRemove(stop.AppId, out _);
                    await leases.GiveUpAsync(OwnerScope(stop.AppId));
                }

                break;
        }
    }

    public static string DeployScope(Guid appId) => $"deploy:{appId:N}";

    public const string OwnerPrefix = "owner:";

    /// <summary>The lease of the server that runs the app (renewed with its heartbeat).</summary>
    public static string OwnerScope(Guid appId) => $"{OwnerPrefix}{appId:N}";

    /// <summary>
    /// Claims (or keeps) the app for this server; false when a live peer owns it. A claim this server made
    /// less than a third of the lease ago is not made again: until it expires no other server can take it
    /// (and the heartbeat renews it), so a deploy of an app it owns costs no lease write.
    /// </summary>
    private async Task<bool> TryOwnAsync(Guid appId, CancellationToken ct)
    {
        if (!runtime.RunsOnThisServer)
        {
            return true;
        }

        var now = clock.GetUtcNow();
        if (_ownerClaims.TryGetValue(appId, out var claimed) && now - claimed < options.Value.Lease / 3)
        {
            return true;
        }

        if (!await leases.TryClaimAsync(OwnerScope(appId), options.Value.Lease, ct))
        {
            _ownerClaims.TryRemove(appId, out _);
            return false;
        }

        _ownerClaims[appId] = now;
        return true;
    }

    /// <summary>
    /// Deploys the app's pending releases oldest first, so that releases go live in version order and each
    /// exactly once, whichever server deploys them. With the local runtime the owner lease is the claim (only
    /// the owner deploys); with a cluster runtime, which has no owner, it is the app's deploy lease.
    /// </summary>
    private async Task DeployPendingAsync(Guid appId, CancellationToken ct)
    {
        if (!await TryOwnAsync(appId, ct))
        {
            // A live peer runs this app: it deploys the release (its scan finds it pending, at once when told).
            await using var db = await dbs.CreateDbContextAsync(ct);
            await PeerNotices.SendAsync(db, DeployWakeup.Channel, "", ct);

            return;
        }

        await using var lease = runtime.RunsOnThisServer ? null : await leases.TryHoldAsync(DeployScope(appId), options.Value.Lease, ct);
        if (!runtime.RunsOnThisServer && lease is null)
        {
            // Another server is deploying this app; it deploys what is pending, or its lease lapses
            // and the scan hands the work back to someone.
            return;
        }

        while (await DeployNextAsync(appId, ct))
        {
            // One release at a time, oldest first, until none is pending.
        }
    }

    /// <summary>
    /// Every <see cref="RuntimeOptions.ClaimScanSeconds"/>: apps with pending releases that nobody deploys
    /// (its server died, or it has not got to them yet: no deploy running here, no deploy lease held, and with
    /// the local runtime this server owns the app or nobody does) get a deploy job here.
    /// </summary>
    private async Task ScanForUnclaimedAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(options.Value.ClaimScanSeconds);
        try
        {
            while (true)
            {
                await wakeup.WaitAsync(interval, clock, stoppingToken);
                try
                {
                    await using var db = await dbs.CreateDbContextAsync(stoppingToken);
                    var now = clock.GetUtcNow();
                    var apps = (await db.Releases.AsNoTracking()
                        .Where(r => r.Status == ReleaseStatus.Pending)
                        .Select(r => new { r.AppId, r.CreatedAt })
                        .ToListAsync(stoppingToken))
                        .GroupBy(r => r.AppId)
                        .Select(g => new { AppId = g.Key, Since = g.Min(r => r.CreatedAt) });
                    foreach (var app in apps)
                    {
                        // Not while a deploy of it runs or waits here: that one takes every pending release. Deploy
                        // leases exist only with a cluster runtime (with the local runtime the owner lease is the claim).
                        var scope = DeployScope(app.AppId);
                        if (_jobs.Find(app.AppId) is not RuntimeJob.Deploy
                            && (runtime.RunsOnThisServer || !await db.WorkLeases.AnyAsync(l => l.Scope == scope && l.ExpiresAt > now, stoppingToken))
                            && await ShouldClaimAsync(db, app.AppId, app.Since, now, stoppingToken))
                        {
                            await EnqueueDeployAsync(app.AppId, stoppingToken);
                        }
                    }

                    if (runtime.RunsOnThisServer)
                    {
                        await QueueOwnedAndOrphanedAsync(db, now, stoppingToken);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogScanFailed(e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Whether the scan should try to deploy an app's unclaimed pending releases: always with a cluster
    /// runtime; with the local runtime when this server owns the app, or when nobody does and the server
    /// that made the release had a lease period to claim it (so it is the one that usually does).
    /// </summary>
    private async Task<bool> ShouldClaimAsync(SlipwayDb db, Guid appId, DateTimeOffset pendingSince, DateTimeOffset now, CancellationToken ct)
    {
        if (!runtime.RunsOnThisServer)
        {
            return true;
        }

        var scope = OwnerScope(appId);
        var owner = await db.WorkLeases.AsNoTracking().Where(l => l.Scope == scope && l.ExpiresAt > now).Select(l => l.Holder).FirstOrDefaultAsync(ct);
        return owner == server.Id || (owner is null && pendingSince < now - options.Value.Lease);
    }

    /// <summary>
    /// Converge jobs for the apps with a release to run that this server owns (catching up with scales made
    /// through peers) or that nobody owns any more (their server died: this one takes them over); stop
    /// jobs for the apps it owns that were destroyed through a peer.
    /// </summary>
    private async Task QueueOwnedAndOrphanedAsync(SlipwayDb db, DateTimeOffset now, CancellationToken ct)
    {
        var owned = await db.WorkLeases.AsNoTracking()
            .Where(l => l.Scope.StartsWith(OwnerPrefix) && l.ExpiresAt > now)
            .Select(l => new { l.Scope, l.Holder })
            .ToListAsync(ct);
        var elsewhere = owned.Where(l => l.Holder != server.Id).Select(l => l.Scope).ToHashSet(StringComparer.Ordinal);
        var mine = owned.Where(l => l.Holder == server.Id).Select(l => l.Scope).ToHashSet(StringComparer.Ordinal);
        var running = await db.Releases.AsNoTracking()
            .Where(r => r.Status == ReleaseStatus.Succeeded && r.SlugId != null)
            .Select(r => r.AppId)
            .Distinct()
            .ToListAsync(ct);
        // Apps whose web processes run here while a peer owns them (this server lost its lease, say in a
        // database outage, and the peer took them over): converging them stops them here.
        var here = await db.ProcessRecords.AsNoTracking().Where(r => r.ServerId == server.Id).Select(r => r.AppId).Distinct().ToListAsync(ct);
        foreach (var appId in here.Where(id => elsewhere.Contains(OwnerScope(id))))
        {
            if (_jobs.Find(appId) is null)
            {
                _jobs.TryEnqueue(new RuntimeJob.Converge(appId));
            }
        }

        var apps = (await db.Apps.AsNoTracking().Select(a => a.Id).ToListAsync(ct)).ToHashSet();
        foreach (var scope in mine)
        {
            // An app destroyed through another server: its processes here go.
            if (Guid.TryParseExact(scope[OwnerPrefix.Length..], "N", out var gone) && !apps.Contains(gone) && _jobs.Find(gone) is null)
            {
                _jobs.TryEnqueue(new RuntimeJob.Stop(gone));
            }
        }

        var scaled = (await db.RuntimeSettings.AsNoTracking().Select(s => new { s.AppId, s.UpdatedAt }).ToListAsync(ct))
            .ToDictionary(s => s.AppId, s => s.UpdatedAt);
        foreach (var appId in running.Where(id => !elsewhere.Contains(OwnerScope(id))))
        {
            // Its own apps only when their formation changed since (a scale through a peer); the others to take them over.
            var stamp = scaled.GetValueOrDefault(appId);
            if (mine.Contains(OwnerScope(appId)) && _converged.TryGetValue(appId, out var seen) && seen == stamp)
            {
                continue;
            }

            // Never waits for room, and an app with work in its lane converges after that work anyway.
            if (_jobs.Find(appId) is null && _jobs.TryEnqueue(new RuntimeJob.Converge(appId)))
            {
                _converged[appId] = stamp;
            }
        }
    }

    /// <summary>
    /// Deploys the app's oldest pending release; false when none is pending (or the app is gone). Its two
    /// database phases (reading the release, recording how it ended) take the <see cref="_records"/> lane;
    /// the runtime's work in between runs beside other apps' deploys.
    /// </summary>
    private async Task<bool> DeployNextAsync(Guid appId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        Release? release;
        App app;
        RuntimeSettings? settings;
        using (await _records.EnterAsync(db, ct))
        {
            release = await db.Releases.Include(r => r.Slug)
                .Where(r => r.AppId == appId && r.Status == ReleaseStatus.Pending)
                .OrderBy(r => r.Version)
                .FirstOrDefaultAsync(ct);
            if (release is null)
            {
                return false;
            }

            var found = await db.Apps.AsNoTracking()
                .Where(a => a.Id == appId)
                .Select(a => new { App = a, Settings = db.RuntimeSettings.FirstOrDefault(s => s.AppId == a.Id) })
                .FirstOrDefaultAsync(ct);
            if (found is null)
            {
                return false;
            }

            (app, settings) = (found.App, found.Settings);
        }

        _converged[app.Id] = settings?.UpdatedAt ?? default;
        logs.Append(app.Id, "slipway[release]", $"Deploying v{release.Version}: {release.Description}");
        LogDeploying(app.Key, release.Version);
        DeployOutcome outcome;
        try
        {
            outcome = await runtime.DeployAsync(SpecOf(app, release, settings, options.Value), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // A release never stays pending because the runtime broke: it fails, with the reason.
            LogDeployFailed(e, app.Key, release.Version);
            outcome = DeployOutcome.Failure($"The runtime could not deploy it: {e.Message}");
        }

        using (await _records.EnterAsync(db, ct))
        {
            var now = clock.GetUtcNow();
            if (outcome.ReleasePhase is { } phase)
            {
                db.ReleasePhaseOutputs.Add(ReleasePhaseOutput.Create(release.Id, phase.Output, phase.ExitCode, now));
            }

            if (outcome.Succeeded)
            {
                release.MarkSucceeded(now);
                await hooks.ReleasedAsync(db, release, ct);
            }
            else
            {
                release.MarkFailed(outcome.FailureReason ?? "The release could not be deployed.", now, outcome.FailureLog);
            }

            try
            {
                // Queued with the release writes on SQLite, rather than racing them in its busy handler.
                using var queued = await gate.EnterAsync(db, ct);
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // The app was destroyed while it deployed: its stop job comes next in this lane.
                db.ChangeTracker.Clear();
                if (!await db.Apps.AnyAsync(a => a.Id == app.Id, ct))
                {
                    return false;
                }

                throw;
            }
        }

        if (outcome.Succeeded)
        {
            logs.Append(app.Id, "slipway[release]", $"Release v{release.Version} succeeded");
            LogSucceeded(app.Key, release.Version);
        }
        else
        {
            logs.Append(app.Id, "slipway[release]", $"Release v{release.Version} failed: {outcome.FailureReason}");
            LogFailed(app.Key, release.Version, outcome.FailureReason);
        }

        return true;
    }

    private async Task ConvergeAsync(Guid appId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var app = await db.Apps.AsNoTracking().FirstOrDefaultAsync(a => a.Id == appId, ct);
        if (app is null)
        {
            await runtime.StopAppAsync(appId, ct);
            return;
        }

        var current = await db.Releases.AsNoTracking().Include(r => r.Slug)
            .Where(r => r.AppId == appId && r.Status == ReleaseStatus.Succeeded)
            .OrderByDescending(r => r.Version)
            .FirstOrDefaultAsync(ct);
        if (current?.Slug is null)
        {
            return;
        }

        if (!await TryOwnAsync(appId, ct))
        {
            // A live peer runs it (after a restart, or it took the app over): nothing of it runs here.
            await runtime.StopAppAsync(appId, ct);
            return;
        }

        var settings = await db.RuntimeSettings.AsNoTracking().FirstOrDefaultAsync(s => s.AppId == appId, ct);

        // The scan converges an owned app again only for a formation newer than this (a scale made through a peer).
        _converged[appId] = settings?.UpdatedAt ?? default;
        await runtime.ScaleAsync(SpecOf(app, current, settings, options.Value), ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deploying {App} v{Version}")]
    private partial void LogDeploying(string app, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "{App} v{Version} succeeded")]
    private partial void LogSucceeded(string app, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{App} v{Version} failed: {Reason}")]
    private partial void LogFailed(string app, int version, string? reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The runtime could not deploy {App} v{Version}")]
    private partial void LogDeployFailed(Exception exception, string app, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not scan for pending releases nobody deploys")]
    private partial void LogScanFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not bring back what ran before the server started")]
    private partial void LogStartupFailed(Exception exception);
}
