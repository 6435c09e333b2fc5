using System.Collections.Concurrent;

namespace Slipway.Server.Routing;

/// <summary>
/// One web process the router may send requests to. It counts the requests in flight so that a
/// process being retired is stopped only once the requests it took have finished.
/// </summary>
public sealed class Destination(string dynoName, string host, int port)
{
    public Destination(string dynoName, int port)
        : this(dynoName, "127.0.0.1", port)
    {
    }

    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private int _draining;

    public string DynoName { get; } = dynoName;

    public string Prefix { get; } = $"http://{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port}/";

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

/// <summary>
/// An app's healthy web processes, taken in turn: those of release <see cref="Version"/>, run by this
/// server or (<see cref="Remote"/>) by another one, as its process records say.
/// </summary>
public sealed class AppRoute(Guid appId, string appKey, IReadOnlyList<Destination> destinations, int version = 0, bool remote = false)
{
    private int _next = -1;

    public Guid AppId { get; } = appId;

    public string AppKey { get; } = appKey;

    /// <summary>The release the destinations run (0: not known).</summary>
    public int Version { get; } = version;

    /// <summary>Whether another server runs the destinations (the route feed set this entry).</summary>
    public bool Remote { get; } = remote;

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

/// <summary>
/// Host name → app → web processes. The local runtime swaps an app's entry in one step when traffic
/// moves; the <see cref="RouteFeed"/> sets the entries of apps other servers run. An entry is never
/// replaced by one of an older release, so once a release is served no older one is.
/// </summary>
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

    /// <summary>The processes this server runs for an app (release <paramref name="version"/>).</summary>
    public void Set(Guid appId, string appKey, IReadOnlyList<Destination> destinations, int version = 0) =>
        Put(new AppRoute(appId, appKey, destinations, version));

    /// <summary>
    /// The processes another server runs for an app. Destinations already in the table for the same
    /// addresses are kept (with their requests in flight); false when the entry has a newer release.
    /// </summary>
    public bool SetRemote(Guid appId, string appKey, int version, IReadOnlyList<(string DynoName, string Host, int Port)> processes)
    {
        var existing = Find(appKey);
        var known = existing?.Destinations.ToDictionary(d => d.Prefix, StringComparer.Ordinal) ?? [];
        var destinations = processes
            .Select(p => new Destination(p.DynoName, p.Host, p.Port))
            .Select(d => known.TryGetValue(d.Prefix, out var same) && same.DynoName == d.DynoName ? same : d)
            .ToList();
        if (existing is { Remote: true } && existing.Version == version && existing.Destinations.SequenceEqual(destinations))
        {
            return true;
        }

        return Put(new AppRoute(appId, appKey, destinations, version, remote: true));
    }

    /// <summary>Takes out an entry the route feed set, unless this server has since routed the app itself.</summary>
    public void RemoveRemote(string appKey)
    {
        if (Find(appKey) is { Remote: true } route)
        {
            _routes.TryRemove(new KeyValuePair<string, AppRoute>(appKey, route));
        }
    }

    public void Remove(string appKey) => _routes.TryRemove(appKey, out _);

    /// <summary>The apps whose entries the route feed set.</summary>
    public IReadOnlyList<AppRoute> RemoteRoutes() => _routes.Values.Where(r => r.Remote).ToList();

    private bool Put(AppRoute route)
    {
        while (true)
        {
            if (!_routes.TryGetValue(route.AppKey, out var existing))
            {
                if (_routes.TryAdd(route.AppKey, route))
                {
                    return true;
                }

                continue;
            }

            if (existing.Version > route.Version || (route.Remote && !existing.Remote && existing.Version == route.Version))
            {
                // Never back to older code: a newer release already serves this app (and this server's own
                // processes of a release win over another server's of the same one).
                return false;
            }

            if (_routes.TryUpdate(route.AppKey, route, existing))
            {
                return true;
            }
        }
    }
}
