using Microsoft.Extensions.Options;
using Slipway.Server.Jobs;

namespace Slipway.Server.Builds;

/// <summary>
/// A build the engine knows about, from enqueue to end: its live output and its cancellation
/// (<see cref="Job.Cancel"/> answers true when it had not started: then the caller ends it, as no
/// engine will; when it runs, the engine sees the token, kills its processes and ends it).
/// </summary>
public sealed class BuildJob(Guid buildId, Guid appId, int maxOutputBytes) : Job(buildId)
{
    public Guid BuildId => Key;

    public Guid AppId { get; } = appId;

    public BuildOutput Output { get; } = new(maxOutputBytes);
}

/// <summary>
/// The builds waiting for or running on this server: a <see cref="JobQueue{TJob}"/> with one lane
/// per build (builds of one app may run side by side), at most <see cref="BuildOptions.QueueLimit"/>
/// waiting and <see cref="BuildOptions.Concurrency"/> running. The API streams a build's output and
/// cancels it through <see cref="Find"/>; the <see cref="BuildEngine"/> runs them.
/// </summary>
public sealed class BuildQueue(IOptions<BuildOptions> options, ILogger<BuildQueue> logger)
{
    private readonly JobQueue<BuildJob> _jobs = new(new JobLimits(options.Value.QueueLimit, options.Value.Concurrency), logger);

    /// <summary>Queues a build; null when the queue is full.</summary>
    public BuildJob? TryEnqueue(Guid buildId, Guid appId)
    {
        var job = new BuildJob(buildId, appId, options.Value.MaxOutputBytes);
        return _jobs.TryEnqueue(job) ? job : null;
    }

    /// <summary>The job of a build that is queued or running on this server, if any.</summary>
    public BuildJob? Find(Guid buildId) => _jobs.Find(buildId);

    public IReadOnlyList<BuildJob> InFlight => _jobs.Jobs;

    /// <summary>Runs the builds until the server stops; answers those that were still waiting then, now cancelled.</summary>
    internal Task<IReadOnlyList<BuildJob>> RunAsync(Func<BuildJob, CancellationToken, Task> build, CancellationToken stopping) =>
        _jobs.RunAsync(build, stopping);
}
