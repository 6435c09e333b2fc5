using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Slipway.Server.Builds;

/// <summary>
/// A build the engine knows about, from enqueue to end: its live output and its cancellation.
/// It moves queued → running → done exactly once, so a cancel that races the engine's start
/// is decided by whichever gets there first.
/// </summary>
public sealed class BuildJob(Guid buildId, Guid appId, int maxOutputBytes)
{
    private const int Queued = 0;
    private const int Running = 1;
    private const int Done = 2;

    // Never disposed: streams may still hold an ended job, and a source without timers holds nothing.
    private readonly CancellationTokenSource _cancel = new();
    private int _state = Queued;

    public Guid BuildId { get; } = buildId;

    public Guid AppId { get; } = appId;

    public BuildOutput Output { get; } = new(maxOutputBytes);

    /// <summary>Cancelled when someone cancels the build (<c>DELETE</c>).</summary>
    public CancellationToken Cancelled => _cancel.Token;

    /// <summary>Why the build was cancelled, as its failure reason says it.</summary>
    public string? CancelReason { get; private set; }

    /// <summary>The engine takes the job; false when it was cancelled while it waited.</summary>
    public bool TryStart() => Interlocked.CompareExchange(ref _state, Running, Queued) == Queued;

    /// <summary>
    /// Cancels the build. Answers true when it had not started: then the caller ends it, as no
    /// engine will. When it runs, the engine sees the token, kills its processes and ends it.
    /// </summary>
    public bool Cancel(string reason)
    {
        CancelReason ??= reason;
        if (Interlocked.CompareExchange(ref _state, Done, Queued) == Queued)
        {
            return true;
        }

        _cancel.Cancel();
        return false;
    }
}

/// <summary>
/// The bounded queue between the API and the engine, plus the jobs in flight so that the API
/// can stream their output and cancel them. At most <see cref="BuildOptions.QueueLimit"/> wait.
/// </summary>
public sealed class BuildQueue(IOptions<BuildOptions> options)
{
    private readonly Channel<BuildJob> _channel = Channel.CreateBounded<BuildJob>(new BoundedChannelOptions(options.Value.QueueLimit)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = false,
        SingleWriter = false,
    });

    private readonly ConcurrentDictionary<Guid, BuildJob> _jobs = new();

    public ChannelReader<BuildJob> Reader => _channel.Reader;

    /// <summary>Queues a build; null when the queue is full.</summary>
    public BuildJob? TryEnqueue(Guid buildId, Guid appId)
    {
        var job = new BuildJob(buildId, appId, options.Value.MaxOutputBytes);
        _jobs[buildId] = job;
        if (_channel.Writer.TryWrite(job))
        {
            return job;
        }

        _jobs.TryRemove(buildId, out _);
        return null;
    }

    /// <summary>The job of a build that is queued or running on this server, if any.</summary>
    public BuildJob? Find(Guid buildId) => _jobs.GetValueOrDefault(buildId);

    /// <summary>Drops an ended job; streams that already hold it read it to its end.</summary>
    public void Forget(BuildJob job) => _jobs.TryRemove(new KeyValuePair<Guid, BuildJob>(job.BuildId, job));

    public IEnumerable<BuildJob> InFlight => _jobs.Values;
}
