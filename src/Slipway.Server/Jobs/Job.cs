namespace Slipway.Server.Jobs;

/// <summary>Where a job is: waiting in its queue, running, or ended one of three ways.</summary>
public enum JobStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>
/// One piece of background work, from the moment it is queued to its end; each feature derives its
/// own (a build with its live output, a deploy, an add-on operation, a push). It moves queued →
/// running → ended exactly once, so a cancel that races the start is decided by whichever gets
/// there first. Jobs with the same <see cref="Key"/> run one at a time, in order (see <see cref="JobQueue{TJob}"/>).
/// </summary>
public abstract class Job(Guid key)
{
    // Never disposed: readers may still hold an ended job, and a source without timers holds nothing.
    private readonly CancellationTokenSource _cancel = new();
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _status = (int)JobStatus.Queued;
    private string? _cancelReason;
    private string? _failureReason;
    private Action<Job>? _withdraw;

    /// <summary>What the job is ordered by: the app, the add-on, or (when order does not matter) its own id.</summary>
    public Guid Key { get; } = key;

    public JobStatus Status => (JobStatus)Volatile.Read(ref _status);

    /// <summary>Why the job was cancelled (the first reason given), once someone cancelled it.</summary>
    public string? CancelReason => Volatile.Read(ref _cancelReason);

    /// <summary>Why the job failed, once it has.</summary>
    public string? FailureReason => Volatile.Read(ref _failureReason);

    /// <summary>Cancelled by <see cref="Cancel"/>; the running work sees it through the token it is given.</summary>
    public CancellationToken Cancelled => _cancel.Token;

    /// <summary>Completes once the job has ended, whichever way, and its queue no longer holds it. Never faults.</summary>
    public Task Ended => _ended.Task;

    public bool IsEnded => Status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled;

    /// <summary>
    /// Cancels the job. Answers true when it had not started: it is out of its queue, ended
    /// <see cref="JobStatus.Cancelled"/>, and will never run, so the caller records whatever its
    /// feature records. When it runs, its work sees the token and ends as that work decides.
    /// </summary>
    public bool Cancel(string reason)
    {
        Interlocked.CompareExchange(ref _cancelReason, reason, null);
        if (Interlocked.CompareExchange(ref _status, (int)JobStatus.Cancelled, (int)JobStatus.Queued) == (int)JobStatus.Queued)
        {
            Volatile.Read(ref _withdraw)?.Invoke(this);
            _ended.TrySetResult();
            return true;
        }

        _cancel.Cancel();
        return false;
    }

    /// <summary>
    /// Called by the running work whose job did not do what it was for although the work itself
    /// came to its end (a build that failed): the job then ends <see cref="JobStatus.Failed"/> with this reason.
    /// </summary>
    public void Fail(string reason) => Interlocked.CompareExchange(ref _failureReason, reason, null);

    /// <summary>Joins a queue, which is told when the job is cancelled while it waits; false when it was queued before or has ended.</summary>
    internal bool Enter(Action<Job> withdraw) =>
        Status == JobStatus.Queued && Interlocked.CompareExchange(ref _withdraw, withdraw, null) is null;

    /// <summary>The queue takes the job; false when it was cancelled while it waited.</summary>
    internal bool TryStart() => Interlocked.CompareExchange(ref _status, (int)JobStatus.Running, (int)JobStatus.Queued) == (int)JobStatus.Queued;

    /// <summary>The queue ends a job it ran, once its lane no longer holds it.</summary>
    internal void End(JobStatus status, string? reason)
    {
        if (status == JobStatus.Failed && reason is not null)
        {
            Fail(reason);
        }
        else if (status == JobStatus.Cancelled && reason is not null)
        {
            Interlocked.CompareExchange(ref _cancelReason, reason, null);
        }

        Volatile.Write(ref _status, (int)status);
        _ended.TrySetResult();
    }
}
