using System.Collections.Concurrent;

namespace Slipway.Server.Routing;

/// <summary>
/// One web process the router may send requests to. It counts the requests in flight so that a
/// process being retired is stopped only once the requests it took have finished.
/// </summary>
public sealed class Destination(string dynoName, int port)
{
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private int _draining;

    public string DynoName { get; } = dynoName;

    public string Prefix { get; } = $"http://127.0.0.1:{port}/";

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Takes a request; false when the destination is draining (then the caller picks another).</summary>
    public bool TryAcquire()
    {
        // Count first, then look: with DrainAsync setting the flag first and then counting, one of the two always sees the other.
        Interlocked.Increment(ref _inFlight);
        if (Volatile.Read(ref _draining) == 1)
        {
            Release();
            return false;
        }

        return true;
    }

    public void Release()
    {
        // The last request out of a draining destination tells DrainAsync; the same order argument as in TryAcquire.
        if (Interlocked.Decrement(ref _inFlight) == 0 && Volatile.Read(ref _draining) == 1)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>Takes no new requests and waits (at most <paramref name="max"/>) for those in flight to finish.</summary>
    public async Task DrainAsync(TimeSpan max, TimeProvider clock)
    {
        Interlocked.Exchange(ref _draining, 1);
        if (InFlight == 0)
        {
            return;
        }

        try
        {
            await _drained.Task.WaitAsync(max, clock);
        }
        catch (TimeoutException)
        {
            // The grace period is over: the process is stopped with whatever it still serves.
        }
    }
}

/// <summary>An app's healthy web processes, taken in turn.</summary>
public sealed class AppRoute(Guid appId, string appKey, IReadOnlyList<Destination> destinations)
{
    private int _next = -1;

    public Guid AppId { get; } = appId;

    public string AppKey { get; } = appKey;

    public IReadOnlyList<Destination> Destinations { get; } = destinations;

    /// <summary>The next destination that takes the request (round-robin), or null when none does.</summary>
    public Destination? Acquire(Destination? avoid = null)
    {
        var count = Destinations.Count;
        for (var i = 0; i < count; i++)
        {
            var candidate = Destinations[(int)((uint)Interlocked.Increment(ref _next) % (uint)count)];
            if (candidate != avoid && candidate.TryAcquire())
            {
                return candidate;
            }
        }

        return avoid is not null && count == 1 && avoid.TryAcquire() ? avoid : null;
    }
}

/// <summary>Host name → app → web processes. The runtime swaps an app's entry in one step when traffic moves.</summary>
public sealed class RouteTable
{
    private readonly ConcurrentDictionary<string, AppRoute> _routes;
    private readonly ConcurrentDictionary<string, AppRoute>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    public RouteTable()
    {
        _routes = new(StringComparer.Ordinal);
        _bySpan = _routes.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public AppRoute? Find(string appKey) => _routes.TryGetValue(appKey, out var route) ? route : null;

    /// <summary>The router's lookup, from the key inside the Host header without allocating a string.</summary>
    public AppRoute? Find(ReadOnlySpan<char> appKey) => _bySpan.TryGetValue(appKey, out var route) ? route : null;

    public void Set(Guid appId, string appKey, IReadOnlyList<Destination> destinations) =>
        _routes[appKey] = new AppRoute(appId, appKey, destinations);

    public void Remove(string appKey) => _routes.TryRemove(appKey, out _);
}
