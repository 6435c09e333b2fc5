using Microsoft.Extensions.Options;
using Slipway.Server.Jobs;

namespace Slipway.Server.Collector;

/// <summary>One collection run (<see cref="Leftovers.CollectAsync"/>); its <see cref="Job.Ended"/> says when it is done.</summary>
public sealed class CollectorJob() : Job(Guid.NewGuid())
{
    public Collected? Result { get; set; }
}

/// <summary>
/// Every <see cref="CollectorOptions.Interval"/>, queues a collection in its <see cref="JobQueue{TJob}"/>
/// (one at a time; a tick while one waits adds none). Several servers on one database may each collect:
/// the rules in <see cref="Leftovers"/> decide with the database, not with what a server remembers.
/// </summary>
public sealed class PeriodicCollector(Leftovers leftovers, IOptions<CollectorOptions> options, TimeProvider clock, ILogger<PeriodicCollector> logger) : BackgroundService
{
    private readonly JobQueue<CollectorJob> _jobs = new(new JobLimits(1, 1), logger);

    /// <summary>Queues a collection now; null when one already waits.</summary>
    public CollectorJob? TryQueue()
    {
        var job = new CollectorJob();
        return _jobs.TryEnqueue(job) ? job : null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = _jobs.RunAsync(async (job, ct) => job.Result = await leftovers.CollectAsync(ct), stoppingToken);
        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                TryQueue();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await running;
    }
}
