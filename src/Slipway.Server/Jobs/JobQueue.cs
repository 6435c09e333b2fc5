using System.Threading.Channels;

namespace Slipway.Server.Jobs;

/// <summary>How many jobs of one queue may wait, and how many run at once. Each feature's options class says both and validates them at start-up.</summary>
public sealed record JobLimits
{
    public JobLimits(int capacity, int concurrency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        Capacity = capacity;
        Concurrency = concurrency;
    }

    /// <summary>How many jobs may wait (queued, not yet started).</summary>
    public int Capacity { get; }

    /// <summary>How many jobs may run at once; never two of one key.</summary>
    public int Concurrency { get; }
}

/// <summary>
/// The one way Slipway runs background work (deploys, builds, add-on operations, auto-deploy
/// pushes): a request queues a job and returns, a <see cref="BackgroundService"/> of the feature
/// runs the jobs through <see cref="RunAsync"/>. The rules:
/// <list type="bullet">
/// <item>Ordered per key: jobs with the same <see cref="Job.Key"/> (the app) run one at a time, in
/// the order they were queued. Each key has a lane only while it has a job queued or running; the
/// lane goes when it drains, so nothing is kept per app once its work is done.</item>
/// <item>Bounded: at most <see cref="JobLimits.Capacity"/> jobs wait. <see cref="TryEnqueue"/> refuses
/// beyond that (the API answers 503), <see cref="EnqueueAsync"/> waits for room.</item>
/// <item>At most <see cref="JobLimits.Concurrency"/> jobs run at once; lanes with work take turns.</item>
/// <item>Cancellable: each running job gets a token linked to the server's stop and to its own
/// <see cref="Job.Cancel"/>; a job cancelled while it waits leaves the queue and never runs.</item>
/// <item>A status to read: <see cref="Job.Status"/> (queued, running, succeeded, failed, cancelled),
/// and <see cref="Find"/> answers the job a key has in the queue.</item>
/// <item>On stop, running jobs see the cancellation and are waited for; those still waiting end
/// cancelled and are handed back, for the feature to record.</item>
/// </list>
/// </summary>
public sealed class JobQueue<TJob>
    where TJob : Job
{
    /// <summary>The reason jobs still waiting are cancelled with when the server stops.</summary>
    public const string StopReason = "The server stopped before it started.";

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, Lane> _lanes = [];

    // Lanes with a job to start and none running. Its size is bounded by the jobs waiting (at most
    // Capacity, which _room counts) plus lanes emptied by a cancel, which the workers drop.
    private readonly Channel<Lane> _ready = Channel.CreateUnbounded<Lane>();
    private readonly SemaphoreSlim _room;
    private readonly ILogger _logger;

    public JobQueue(JobLimits limits, ILogger logger)
    {
        Limits = limits;
        _room = new SemaphoreSlim(limits.Capacity, limits.Capacity);
        _logger = logger;
    }

    public JobLimits Limits { get; }

    /// <summary>How many jobs wait to start.</summary>
    public int Waiting => Limits.Capacity - _room.CurrentCount;

    /// <summary>How many keys have a job queued or running.</summary>
    public int Keys
    {
        get
        {
            lock (_gate)
            {
                return _lanes.Count;
            }
        }
    }

    /// <summary>Every job queued or running, running ones first in each lane.</summary>
    public IReadOnlyList<TJob> Jobs
    {
        get
        {
            lock (_gate)
            {
                return [.. _lanes.Values.SelectMany(l => l.Running is { } running ? l.Waiting.Prepend(running) : l.Waiting)];
            }
        }
    }

    /// <summary>Queues the job; false (and the job stays out) when <see cref="JobLimits.Capacity"/> jobs already wait.</summary>
    public bool TryEnqueue(TJob job)
    {
        if (!_room.Wait(0))
        {
            return false;
        }

        Add(job);
        return true;
    }

    /// <summary>Queues the job, waiting for room when <see cref="JobLimits.Capacity"/> jobs already wait.</summary>
    public async ValueTask EnqueueAsync(TJob job, CancellationToken ct)
    {
        await _room.WaitAsync(ct);
        Add(job);
    }

    /// <summary>
    /// Queues the job unless its key already has one queued or running: then answers that one
    /// instead (one operation per add-on at a time). Waits for room like <see cref="EnqueueAsync"/>.
    /// </summary>
    public async ValueTask<TJob> EnqueueOrJoinAsync(TJob job, CancellationToken ct)
    {
        if (Find(job.Key) is { } existing)
        {
            return existing;
        }

        await _room.WaitAsync(ct);
        lock (_gate)
        {
            if (FindLocked(job.Key) is { } queuedMeanwhile)
            {
                _room.Release();
                return queuedMeanwhile;
            }

            AddLocked(job);
        }

        return job;
    }

    /// <summary>
    /// Queues the job unless the last job waiting in its key's lane is one that <paramref name="covers"/> says
    /// does this job's work when it runs anyway (a deploy takes every release pending by then); then answers
    /// that one. A running job never covers: it may be past the point where it would see the new work. So a
    /// stream of work for one key keeps at most one such job waiting, never a pile of them. Waits for room like
    /// <see cref="EnqueueAsync"/>.
    /// </summary>
    public async ValueTask<TJob> EnqueueUnlessCoveredAsync(TJob job, Func<TJob, bool> covers, CancellationToken ct)
    {
        lock (_gate)
        {
            if (LastWaitingLocked(job.Key) is { } waiting && covers(waiting))
            {
                return waiting;
            }
        }

        await _room.WaitAsync(ct);
        lock (_gate)
        {
            if (LastWaitingLocked(job.Key) is { } queuedMeanwhile && covers(queuedMeanwhile))
            {
                _room.Release();
                return queuedMeanwhile;
            }

            AddLocked(job);
        }

        return job;
    }

    /// <summary>The job of this key that is running, else the first that waits; null when the key has none.</summary>
    public TJob? Find(Guid key)
    {
        lock (_gate)
        {
            return FindLocked(key);
        }
    }

    /// <summary>
    /// Runs jobs with <paramref name="work"/> until <paramref name="stopping"/> fires, then waits for
    /// the running ones (their token is cancelled) and cancels those still waiting, which it answers.
    /// A job ends as its work ends: it returns (succeeded, or failed if it called <see cref="Job.Fail"/>),
    /// it throws <see cref="OperationCanceledException"/> once its token is cancelled (cancelled), or it
    /// throws anything else (failed, and logged).
    /// </summary>
    public async Task<IReadOnlyList<TJob>> RunAsync(Func<TJob, CancellationToken, Task> work, CancellationToken stopping)
    {
        await Task.WhenAll(Enumerable.Range(0, Limits.Concurrency).Select(_ => WorkAsync(work, stopping)));
        return CancelWaiting(StopReason);
    }

    /// <summary>Cancels every job that waits; answers those it cancelled.</summary>
    public IReadOnlyList<TJob> CancelWaiting(string reason)
    {
        List<TJob> waiting;
        lock (_gate)
        {
            waiting = [.. _lanes.Values.SelectMany(l => l.Waiting)];
        }

        return [.. waiting.Where(j => j.Cancel(reason))];
    }

    private async Task WorkAsync(Func<TJob, CancellationToken, Task> work, CancellationToken stopping)
    {
        // Each worker waits on its own, off the caller's thread.
        await Task.Yield();
        try
        {
            await foreach (var lane in _ready.Reader.ReadAllAsync(stopping))
            {
                if (stopping.IsCancellationRequested)
                {
                    break;
                }

                if (Take(lane) is { } job)
                {
                    await RunOneAsync(lane, job, work, stopping);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Starts the lane's next job; null when every job it had was cancelled meanwhile.</summary>
    private TJob? Take(Lane lane)
    {
        lock (_gate)
        {
            lane.Ready = false;
            while (lane.Waiting.First is { } first)
            {
                lane.Waiting.RemoveFirst();
                _room.Release();
                if (first.Value.TryStart())
                {
                    lane.Running = first.Value;
                    return first.Value;
                }
            }

            Prune(lane);
            return null;
        }
    }

    private async Task RunOneAsync(Lane lane, TJob job, Func<TJob, CancellationToken, Task> work, CancellationToken stopping)
    {
        JobStatus status;
        string? reason = null;
        using (var token = CancellationTokenSource.CreateLinkedTokenSource(stopping, job.Cancelled))
        {
            try
            {
                await work(job, token.Token);
                status = job.FailureReason is null ? JobStatus.Succeeded : JobStatus.Failed;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                status = JobStatus.Cancelled;
                reason = job.CancelReason ?? "The server stopped before it finished.";
            }
            catch (Exception e)
            {
                JobLog.Failed(_logger, e, job.GetType().Name, job.Key);
                status = JobStatus.Failed;
                reason = e.Message;
            }
        }

        lock (_gate)
        {
            lane.Running = null;
            if (!MakeReady(lane))
            {
                Prune(lane);
            }
        }

        job.End(status, reason);
    }

    private void Add(TJob job)
    {
        lock (_gate)
        {
            AddLocked(job);
        }
    }

    private void AddLocked(TJob job)
    {
        if (!job.Enter(Withdraw))
        {
            _room.Release();
            throw new InvalidOperationException($"{job.GetType().Name} {job.Key} was queued before or has ended.");
        }

        if (!_lanes.TryGetValue(job.Key, out var lane))
        {
            lane = new Lane(job.Key);
            _lanes.Add(job.Key, lane);
        }

        lane.Waiting.AddLast(job);
        MakeReady(lane);
    }

    /// <summary>Hands the lane to a worker when it has a job to start and none running; true when it has.</summary>
    private bool MakeReady(Lane lane)
    {
        if (lane.Running is not null || lane.Waiting.Count == 0)
        {
            return false;
        }

        if (!lane.Ready)
        {
            lane.Ready = true;
            _ready.Writer.TryWrite(lane);
        }

        return true;
    }

    /// <summary>Takes a job cancelled while it waited out of its lane (called by <see cref="Job.Cancel"/>).</summary>
    private void Withdraw(Job job)
    {
        lock (_gate)
        {
            if (_lanes.TryGetValue(job.Key, out var lane) && lane.Waiting.Remove((TJob)job))
            {
                _room.Release();
                Prune(lane);
            }
        }
    }

    /// <summary>Forgets a lane that has nothing left: no state outlives a key's last job.</summary>
    private void Prune(Lane lane)
    {
        if (lane.Running is null && lane.Waiting.Count == 0 && _lanes.TryGetValue(lane.Key, out var current) && current == lane)
        {
            _lanes.Remove(lane.Key);
        }
    }

    private TJob? LastWaitingLocked(Guid key) =>
        _lanes.TryGetValue(key, out var lane) ? lane.Waiting.Last?.Value : null;

    private TJob? FindLocked(Guid key) =>
        _lanes.TryGetValue(key, out var lane) ? lane.Running ?? lane.Waiting.First?.Value : null;

    /// <summary>One key's jobs: at most one running, the rest waiting in order. Changed only under the queue's lock.</summary>
    private sealed class Lane(Guid key)
    {
        public Guid Key { get; } = key;

        public LinkedList<TJob> Waiting { get; } = new();

        public TJob? Running { get; set; }

        /// <summary>In the ready channel, waiting for a worker.</summary>
        public bool Ready { get; set; }
    }
}

/// <summary>The job queue's log messages (a generic type cannot hold them).</summary>
internal static partial class JobLog
{
    [LoggerMessage(Level = LogLevel.Error, Message = "{Job} {Key} failed")]
    public static partial void Failed(ILogger logger, Exception exception, string job, Guid key);
}
