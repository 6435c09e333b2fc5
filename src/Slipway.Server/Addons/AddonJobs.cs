using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Server.Data;
using Slipway.Server.Jobs;

namespace Slipway.Server.Addons;

public enum AddonJobKind
{
    /// <summary>Provision, bind and attach.</summary>
    Provision,

    /// <summary>Unbind and deprovision a detached add-on.</summary>
    Deprovision,
}

/// <summary>
/// One add-on operation in the background. The request that started it may wait for it for a
/// while; whether the outcome reaches that request decides what happens to a failed add-on:
/// a request that hears of the failure answers it and the record goes, while a failure nobody
/// waited for stays listed as <c>failed</c> with its reason, for the client polling it.
/// </summary>
public sealed class AddonJob(Guid addonId, AddonJobKind kind, bool resumed) : Job(addonId)
{
    private const int Open = 0;
    private const int Abandoned = 1;
    private const int Claimed = 2;

    private AddonOutcome? _outcome;
    private int _waiter;

    public Guid AddonId => Key;

    public AddonJobKind Kind { get; } = kind;

    /// <summary>Picked up at start-up after an earlier run was interrupted.</summary>
    public bool Resumed { get; } = resumed;

    /// <summary>
    /// Waits up to <paramref name="wait"/> for the outcome; null when the job goes on in the
    /// background (the caller answers 202), or the server stopped before it ran (it resumes at the next start).
    /// </summary>
    public async Task<AddonOutcome?> WaitAsync(TimeSpan wait, CancellationToken ct)
    {
        try
        {
            await Ended.WaitAsync(wait, ct);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // Too late to give up when the outcome is already on its way to us.
            if (Interlocked.CompareExchange(ref _waiter, Abandoned, Open) != Claimed)
            {
                return null;
            }
        }

        await Ended;
        return Volatile.Read(ref _outcome);
    }

    /// <summary>True when a waiting request will receive the outcome.</summary>
    internal bool ClaimForWaiter() => Interlocked.CompareExchange(ref _waiter, Claimed, Open) == Open;

    /// <summary>The outcome a waiter reads once the job has ended (and left the queue, so a new operation on the add-on is a new job).</summary>
    internal void Complete(AddonOutcome outcome) => Volatile.Write(ref _outcome, outcome);
}

/// <summary>
/// Runs add-on operations off the request, through a <see cref="JobQueue{TJob}"/> keyed by add-on
/// (one operation per add-on at a time), at most <see cref="AddonOptions.Concurrency"/> at once and
/// <see cref="AddonOptions.QueueLimit"/> waiting, each with the server's stopping token (a client that
/// hangs up does not abort a half-made add-on). On start it picks up the add-ons an earlier run left in
/// progress; OSB operations are idempotent, so each is simply run again. On stop the running ones see
/// the stop and record where they got to before the server goes.
/// </summary>
public sealed partial class AddonJobs(IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, IOptions<AddonOptions> options, ILogger<AddonJobs> logger) : BackgroundService
{
    private readonly JobQueue<AddonJob> _jobs = new(new JobLimits(options.Value.QueueLimit, options.Value.Concurrency), logger);

    /// <summary>Queues the operation, or answers the one already queued or running for this add-on.</summary>
    public async ValueTask<AddonJob> EnqueueAsync(Guid addonId, AddonJobKind kind, bool resumed, CancellationToken ct) =>
        await _jobs.EnqueueOrJoinAsync(new AddonJob(addonId, kind, resumed), ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The built-in brokers are called over HTTP, so nothing runs before the server listens.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        // Jobs still waiting at stop are left as they are: the next start resumes them.
        var running = _jobs.RunAsync(RunAsync, stoppingToken);
        try
        {
            await ResumeAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await running;
    }

    private async Task ResumeAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SlipwayDb>();
        var unfinished = await db.Addons.AsNoTracking()
            .Where(a => a.State == AddonState.Provisioning || a.State == AddonState.Deprovisioning)
            .Select(a => new { a.Id, a.State })
            .ToListAsync(ct);
        foreach (var addon in unfinished)
        {
            LogResuming(logger, addon.Id);
            await EnqueueAsync(addon.Id, addon.State == AddonState.Provisioning ? AddonJobKind.Provision : AddonJobKind.Deprovision, resumed: true, ct);
        }
    }

    private async Task RunAsync(AddonJob job, CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var lifecycle = scope.ServiceProvider.GetRequiredService<AddonLifecycle>();
            AddonOutcome outcome;
            try
            {
                outcome = job.Kind == AddonJobKind.Provision
                    ? await lifecycle.ProvisionAsync(job.AddonId, job.Resumed, stoppingToken)
                    : await lifecycle.DeprovisionAsync(job.AddonId, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Left as it is; the next start picks it up again.
                outcome = AddonOutcome.Failure(503, "unavailable", "The server is shutting down; the add-on operation resumes when it starts again.", keepRecord: true);
            }
            catch (Exception e)
            {
                LogJobFailed(logger, job.AddonId, e);
                outcome = AddonOutcome.Failure(500, "internal_error", "The add-on operation failed unexpectedly; it is retried when the server restarts.", keepRecord: true);
            }

            if (job.ClaimForWaiter() && job.Kind == AddonJobKind.Provision && !outcome.Succeeded && !outcome.KeepRecord)
            {
                await lifecycle.ForgetFailedAsync(job.AddonId, CancellationToken.None);
            }

            Complete(job, outcome);
        }
        catch (Exception e)
        {
            LogJobFailed(logger, job.AddonId, e);
            Complete(job, AddonOutcome.Failure(500, "internal_error", "The add-on operation failed unexpectedly.", keepRecord: true));
        }
    }

    private static void Complete(AddonJob job, AddonOutcome outcome)
    {
        job.Complete(outcome);
        if (!outcome.Succeeded)
        {
            job.Fail(outcome.Refusal.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming the unfinished operation of add-on {AddonId}")]
    private static partial void LogResuming(ILogger logger, Guid addonId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The operation of add-on {AddonId} failed unexpectedly")]
    private static partial void LogJobFailed(ILogger logger, Guid addonId, Exception exception);
}
