using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Slipway.Server.Data;

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
public sealed class AddonJob(Guid addonId, AddonJobKind kind, bool resumed)
{
    private const int Open = 0;
    private const int Abandoned = 1;
    private const int Claimed = 2;

    private readonly TaskCompletionSource<AddonOutcome> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _waiter;

    public Guid AddonId { get; } = addonId;

    public AddonJobKind Kind { get; } = kind;

    /// <summary>Picked up at start-up after an earlier run was interrupted.</summary>
    public bool Resumed { get; } = resumed;

    public Task<AddonOutcome> Completion => _done.Task;

    /// <summary>
    /// Waits up to <paramref name="wait"/> for the outcome; null when the job goes on in the
    /// background (the caller answers 202).
    /// </summary>
    public async Task<AddonOutcome?> WaitAsync(TimeSpan wait, CancellationToken ct)
    {
        try
        {
            await _done.Task.WaitAsync(wait, ct);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // Too late to give up when the outcome is already on its way to us.
            if (Interlocked.CompareExchange(ref _waiter, Abandoned, Open) != Claimed)
            {
                return null;
            }
        }

        return await _done.Task;
    }

    /// <summary>True when a waiting request will receive the outcome.</summary>
    internal bool ClaimForWaiter() => Interlocked.CompareExchange(ref _waiter, Claimed, Open) == Open;

    internal void Complete(AddonOutcome outcome) => _done.TrySetResult(outcome);
}

/// <summary>
/// Runs add-on operations off the request, through a bounded queue, a few at a time, each with
/// the server's stopping token (a client that hangs up does not abort a half-made add-on). On
/// start it picks up the add-ons an earlier run left in progress; OSB operations are idempotent,
/// so each is simply run again.
/// </summary>
public sealed partial class AddonJobs(IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, ILogger<AddonJobs> logger) : BackgroundService
{
    private const int MaxConcurrent = 8;

    private readonly Channel<AddonJob> _queue = Channel.CreateBounded<AddonJob>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.Wait });
    private readonly ConcurrentDictionary<Guid, AddonJob> _running = new();
    private readonly SemaphoreSlim _slots = new(MaxConcurrent);
    private readonly ConcurrentDictionary<Task, bool> _inFlight = new();

    /// <summary>Queues the operation, or answers the one already running for this add-on.</summary>
    public async ValueTask<AddonJob> EnqueueAsync(Guid addonId, AddonJobKind kind, bool resumed, CancellationToken ct)
    {
        var job = new AddonJob(addonId, kind, resumed);
        var running = _running.GetOrAdd(addonId, job);
        if (!ReferenceEquals(running, job))
        {
            return running;
        }

        try
        {
            await _queue.Writer.WriteAsync(job, ct);
        }
        catch
        {
            _running.TryRemove(KeyValuePair.Create(addonId, job));
            throw;
        }

        return job;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The built-in brokers are called over HTTP, so nothing runs before the server listens.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        await ResumeAsync(stoppingToken);
        await foreach (var job in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            await _slots.WaitAsync(stoppingToken);
            var run = Task.Run(() => RunAsync(job, stoppingToken), CancellationToken.None);
            _inFlight[run] = true;
            _ = run.ContinueWith(t => _inFlight.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Stops taking jobs, and lets the running ones see the stop and record where they got to.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await Task.WhenAll(_inFlight.Keys).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out; whatever is left is resumed at the next start.
        }
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

            _running.TryRemove(KeyValuePair.Create(job.AddonId, job));
            job.Complete(outcome);
        }
        catch (Exception e)
        {
            LogJobFailed(logger, job.AddonId, e);
            _running.TryRemove(KeyValuePair.Create(job.AddonId, job));
            job.Complete(AddonOutcome.Failure(500, "internal_error", "The add-on operation failed unexpectedly.", keepRecord: true));
        }
        finally
        {
            _slots.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming the unfinished operation of add-on {AddonId}")]
    private static partial void LogResuming(ILogger logger, Guid addonId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The operation of add-on {AddonId} failed unexpectedly")]
    private static partial void LogJobFailed(ILogger logger, Guid addonId, Exception exception);
}
