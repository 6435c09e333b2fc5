using Microsoft.Extensions.Logging.Abstractions;
using Slipway.Server.Jobs;

namespace Slipway.Server.Tests.Jobs;

/// <summary>
/// The job primitive on its own: order per key, bounds, concurrency, cancellation, status, and that
/// no lane outlives its key's last job. Jobs wait on gates the test opens, never on the clock.
/// </summary>
public sealed class JobQueueTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Run_JobsOfOneKey_RunOneAtATimeInTheOrderQueued()
    {
        var queue = Queue(capacity: 100, concurrency: 4);
        var app = Guid.NewGuid();
        var jobs = Enumerable.Range(0, 20).Select(n => new TestJob(n % 4 == 0 ? Guid.NewGuid() : app, n)).ToList();
        var trace = new List<string>();

        foreach (var job in jobs)
        {
            Assert.True(queue.TryEnqueue(job));
        }

        await using (var running = Run(queue, async (job, _) =>
        {
            Record(trace, $"start {job.N}", job.Key == app);
            await Task.Yield();
            Record(trace, $"end {job.N}", job.Key == app);
        }))
        {
            await Task.WhenAll(jobs.Select(j => j.Ended)).WaitAsync(Patience);
        }

        var expected = jobs.Where(j => j.Key == app).SelectMany(j => new[] { $"start {j.N}", $"end {j.N}" });
        Assert.Equal(expected, trace);
    }

    [Fact]
    public async Task Run_JobsOfDifferentKeys_RunSideBySideUpToTheConcurrency()
    {
        var queue = Queue(capacity: 10, concurrency: 2);
        var gate = new TaskCompletionSource();
        var jobs = Enumerable.Range(0, 3).Select(n => new TestJob(Guid.NewGuid(), n)).ToList();
        foreach (var job in jobs)
        {
            Assert.True(queue.TryEnqueue(job));
        }

        await using var running = Run(queue, async (job, _) =>
        {
            job.Started.TrySetResult();
            await gate.Task;
        });
        await Task.WhenAll(jobs[0].Started.Task, jobs[1].Started.Task).WaitAsync(Patience);

        Assert.Equal([JobStatus.Running, JobStatus.Running, JobStatus.Queued], jobs.Select(j => j.Status));
        Assert.Equal(1, queue.Waiting);

        gate.SetResult();
        await Task.WhenAll(jobs.Select(j => j.Ended)).WaitAsync(Patience);
        Assert.All(jobs, j => Assert.Equal(JobStatus.Succeeded, j.Status));
    }

    [Fact]
    public async Task TryEnqueue_WithCapacityJobsWaiting_IsRefusedUntilOneStarts()
    {
        var queue = Queue(capacity: 2, concurrency: 1);
        var gate = new TaskCompletionSource();
        var first = new TestJob(Guid.NewGuid(), 1);
        var second = new TestJob(Guid.NewGuid(), 2);
        var refused = new TestJob(Guid.NewGuid(), 3);

        Assert.True(queue.TryEnqueue(first));
        Assert.True(queue.TryEnqueue(second));
        Assert.False(queue.TryEnqueue(refused));
        Assert.Null(queue.Find(refused.Key));

        await using var running = Run(queue, async (job, _) =>
        {
            job.Started.TrySetResult();
            await gate.Task;
        });
        await first.Started.Task.WaitAsync(Patience);

        Assert.Equal(1, queue.Waiting);
        Assert.True(queue.TryEnqueue(new TestJob(Guid.NewGuid(), 4)));
        Assert.False(queue.TryEnqueue(new TestJob(Guid.NewGuid(), 5)));
        gate.SetResult();
    }

    [Fact]
    public async Task EnqueueAsync_WhenFull_WaitsUntilThereIsRoom()
    {
        var queue = Queue(capacity: 1, concurrency: 1);
        var first = new TestJob(Guid.NewGuid(), 1);
        await queue.EnqueueAsync(first, TestContext.Current.CancellationToken);

        var second = queue.EnqueueAsync(new TestJob(Guid.NewGuid(), 2), TestContext.Current.CancellationToken).AsTask();
        var waitedWhileFull = !second.IsCompleted;
        first.Cancel("made room");
        await second.WaitAsync(Patience);

        Assert.True(waitedWhileFull);
        Assert.Equal(1, queue.Waiting);
    }

    [Fact]
    public async Task Cancel_QueuedJob_EndsItCancelledWithoutRunningIt()
    {
        var queue = Queue(capacity: 10, concurrency: 1);
        var app = Guid.NewGuid();
        var cancelled = new TestJob(app, 1);
        var next = new TestJob(app, 2);
        Assert.True(queue.TryEnqueue(cancelled));
        Assert.True(queue.TryEnqueue(next));

        Assert.True(cancelled.Cancel("Cancelled by a test."));
        Assert.False(cancelled.Cancel("Cancelled twice."));

        Assert.Equal(JobStatus.Cancelled, cancelled.Status);
        Assert.Equal("Cancelled by a test.", cancelled.CancelReason);
        Assert.True(cancelled.Ended.IsCompleted);
        Assert.Same(next, queue.Find(app));
        Assert.Equal(1, queue.Waiting);

        var ran = new List<int>();
        await using (Run(queue, (job, _) =>
        {
            Record(ran, job.N);
            return Task.CompletedTask;
        }))
        {
            await next.Ended.WaitAsync(Patience);
        }

        Assert.Equal([2], ran);
    }

    [Fact]
    public async Task Cancel_RunningJob_CancelsItsTokenAndEndsItCancelled()
    {
        var queue = Queue(capacity: 10, concurrency: 1);
        var job = new TestJob(Guid.NewGuid(), 1);
        Assert.True(queue.TryEnqueue(job));
        await using var running = Run(queue, async (j, ct) =>
        {
            j.Started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        });
        await job.Started.Task.WaitAsync(Patience);

        var wasQueued = job.Cancel("Cancelled by a test.");
        await job.Ended.WaitAsync(Patience);

        Assert.False(wasQueued);
        Assert.Equal(JobStatus.Cancelled, job.Status);
        Assert.Equal("Cancelled by a test.", job.CancelReason);
        Assert.Null(queue.Find(job.Key));
    }

    [Fact]
    public async Task Status_OfEndedJobs_SaysHowTheirWorkEnded()
    {
        var queue = Queue(capacity: 10, concurrency: 2);
        var succeeds = new TestJob(Guid.NewGuid(), 1);
        var throws = new TestJob(Guid.NewGuid(), 2);
        var fails = new TestJob(Guid.NewGuid(), 3);
        var gate = new TaskCompletionSource();
        foreach (var job in new[] { succeeds, throws, fails })
        {
            Assert.True(queue.TryEnqueue(job));
        }

        Assert.Equal(JobStatus.Queued, succeeds.Status);
        await using (Run(queue, async (job, _) =>
        {
            job.Started.TrySetResult();
            await gate.Task;
            switch (job.N)
            {
                case 2:
                    throw new InvalidOperationException("The work broke.");
                case 3:
                    job.Fail("The work did not do what it was for.");
                    break;
            }
        }))
        {
            await succeeds.Started.Task.WaitAsync(Patience);
            Assert.Equal(JobStatus.Running, succeeds.Status);
            gate.SetResult();
            await Task.WhenAll(succeeds.Ended, throws.Ended, fails.Ended).WaitAsync(Patience);
        }

        Assert.Equal(JobStatus.Succeeded, succeeds.Status);
        Assert.Null(succeeds.FailureReason);
        Assert.Equal(JobStatus.Failed, throws.Status);
        Assert.Equal("The work broke.", throws.FailureReason);
        Assert.Equal(JobStatus.Failed, fails.Status);
        Assert.Equal("The work did not do what it was for.", fails.FailureReason);
    }

    [Fact]
    public async Task Stop_CancelsTheRunningJobsWaitsForThemAndHandsBackTheWaitingOnes()
    {
        var queue = Queue(capacity: 10, concurrency: 1);
        var app = Guid.NewGuid();
        var runningJob = new TestJob(app, 1);
        var waitingJob = new TestJob(app, 2);
        Assert.True(queue.TryEnqueue(runningJob));
        Assert.True(queue.TryEnqueue(waitingJob));
        var observedStop = false;
        using var stop = new CancellationTokenSource();
        var run = queue.RunAsync(
            async (job, ct) =>
            {
                job.Started.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                finally
                {
                    // What a job does on its way out is done before the queue's run ends.
                    await Task.Yield();
                    observedStop = true;
                }
            },
            stop.Token);
        await runningJob.Started.Task.WaitAsync(Patience);

        await stop.CancelAsync();
        var handedBack = await run.WaitAsync(Patience);

        Assert.True(observedStop);
        Assert.Equal(JobStatus.Cancelled, runningJob.Status);
        Assert.Same(waitingJob, Assert.Single(handedBack));
        Assert.Equal(JobStatus.Cancelled, waitingJob.Status);
        Assert.Equal(JobQueue<TestJob>.StopReason, waitingJob.CancelReason);
        Assert.False(waitingJob.Started.Task.IsCompleted);
        Assert.Equal(0, queue.Keys);
    }

    [Fact]
    public async Task EnqueueOrJoin_KeyWithAJobQueuedOrRunning_AnswersThatJob()
    {
        var queue = Queue(capacity: 10, concurrency: 1);
        var addon = Guid.NewGuid();
        var first = await queue.EnqueueOrJoinAsync(new TestJob(addon, 1), TestContext.Current.CancellationToken);

        var joined = await queue.EnqueueOrJoinAsync(new TestJob(addon, 2), TestContext.Current.CancellationToken);
        await using (Run(queue, (_, _) => Task.CompletedTask))
        {
            await first.Ended.WaitAsync(Patience);
        }

        var afterwards = await queue.EnqueueOrJoinAsync(new TestJob(addon, 3), TestContext.Current.CancellationToken);

        Assert.Same(first, joined);
        Assert.Equal(3, afterwards.N);
    }

    [Fact]
    public async Task EnqueueUnlessCovered_AJobOfTheKindWaitingLast_TakesTheWorkAndTheRunningOneDoesNot()
    {
        var queue = Queue(capacity: 3, concurrency: 1);
        var app = Guid.NewGuid();
        var ct = TestContext.Current.CancellationToken;
        var release = new TaskCompletionSource();
        var running = await queue.EnqueueUnlessCoveredAsync(new TestJob(app, 1), j => j.N < 10, ct);
        var ran = new List<int>();
        await using (Run(queue, async (job, _) =>
        {
            ran.Add(job.N);
            job.Started.SetResult();
            if (job.N == 1)
            {
                await release.Task;
            }
        }))
        {
            await running.Started.Task.WaitAsync(Patience, ct);

            // The running job does not cover new work; the first waiting one does, for as long as it is last.
            var waiting = await queue.EnqueueUnlessCoveredAsync(new TestJob(app, 2), j => j.N < 10, ct);
            var joined = new List<TestJob>();
            for (var n = 3; n < 200; n++)
            {
                joined.Add(await queue.EnqueueUnlessCoveredAsync(new TestJob(app, n), j => j.N < 10, ct));
            }

            // Work that nothing covers queues behind them, and then the earlier waiting job is no longer last.
            var other = await queue.EnqueueUnlessCoveredAsync(new TestJob(app, 10), _ => false, ct);
            var after = await queue.EnqueueUnlessCoveredAsync(new TestJob(app, 11), j => j.N < 10, ct);

            var waitingThen = queue.Waiting;
            release.SetResult();
            Assert.NotSame(running, waiting);
            Assert.All(joined, j => Assert.Same(waiting, j));
            Assert.Equal(11, after.N);
            Assert.Equal(3, waitingThen);
            await Task.WhenAll(running.Ended, waiting.Ended, other.Ended, after.Ended).WaitAsync(Patience, ct);
        }

        Assert.Equal([1, 2, 10, 11], ran);
    }

    [Fact]
    public async Task Lanes_OfAThousandAppsThatDrained_LeaveNothingBehind()
    {
        var queue = Queue(capacity: 10_000, concurrency: 8);
        var apps = Enumerable.Range(0, 1000).Select(_ => Guid.NewGuid()).ToList();
        var jobs = apps.SelectMany(app => Enumerable.Range(0, 3).Select(n => new TestJob(app, n))).ToList();
        foreach (var job in jobs)
        {
            Assert.True(queue.TryEnqueue(job));
        }

        var atStart = queue.Keys;
        await using (Run(queue, async (_, _) => await Task.Yield()))
        {
            await Task.WhenAll(jobs.Select(j => j.Ended)).WaitAsync(Patience);
        }

        Assert.Equal(1000, atStart);
        Assert.All(jobs, j => Assert.Equal(JobStatus.Succeeded, j.Status));
        Assert.Equal(0, queue.Keys);
        Assert.Equal(0, queue.Waiting);
        Assert.Empty(queue.Jobs);
        Assert.All(apps, app => Assert.Null(queue.Find(app)));
    }

    [Fact]
    public void Limits_BelowOne_AreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new JobLimits(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new JobLimits(1, 0));
    }

    private static JobQueue<TestJob> Queue(int capacity, int concurrency) => new(new JobLimits(capacity, concurrency), NullLogger.Instance);

    private static Running Run(JobQueue<TestJob> queue, Func<TestJob, CancellationToken, Task> work) => new(queue, work);

    private static void Record<T>(List<T> list, T item, bool when = true)
    {
        if (!when)
        {
            return;
        }

        lock (list)
        {
            list.Add(item);
        }
    }

    /// <summary>A queue's run for the length of a <c>using</c>: disposing it stops the run and waits for it.</summary>
    private sealed class Running : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _run;

        public Running(JobQueue<TestJob> queue, Func<TestJob, CancellationToken, Task> work) => _run = queue.RunAsync(work, _stop.Token);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _run.WaitAsync(Patience);
            _stop.Dispose();
        }
    }

    private sealed class TestJob(Guid key, int n) : Job(key)
    {
        public int N { get; } = n;

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
