using System.Diagnostics;
using System.Globalization;
using Slipway.TestSupport;

namespace Slipway.Bench;

/// <summary>One row of the release-creation table.</summary>
public sealed record CreationResult(int Clients, int Apps, Latency Latency, string Check);

/// <summary>
/// Release creation through the API: each request is a <c>PATCH /apps/{app}/config-vars</c>
/// with a value never sent before, so each one makes exactly one release. Clients share one app
/// (they queue on its lock) or each has its own.
/// </summary>
public static class ReleaseCreationBench
{
    private static long _value;

    public static async Task<CreationResult> RunAsync(SlipwayTestServer server, string space, string prefix, int clients, int apps, BenchOptions options)
    {
        using var admin = server.Api();
        var keys = new List<string>();
        for (var i = 0; i < apps; i++)
        {
            keys.Add((await admin.CreateAppAsync(space, $"{prefix}{i}")).Name);
        }

        // One connection per client, kept from the warm-up into the measured run.
        var http = Enumerable.Range(0, clients).Select(_ => server.Api()).ToList();
        try
        {
            await RunPhaseAsync(http, keys, options.Warmup);
            var started = Stopwatch.GetTimestamp();
            var samples = await RunPhaseAsync(http, keys, options.Requests);
            var latency = Latency.Of(samples, Stopwatch.GetElapsedTime(started));

            var made = options.Warmup + options.Requests;
            var checks = new List<string>();
            foreach (var key in keys)
            {
                checks.Add(await ReleaseCheck.GaplessAsync(server, key));
            }

            var total = checks.Count == 1 ? checks[0] : $"{made} releases in {apps} apps, each gapless";
            return new CreationResult(clients, apps, latency, total);
        }
        finally
        {
            http.ForEach(c => c.Dispose());
        }
    }

    /// <summary>Makes <paramref name="count"/> releases with all clients at once; answers each request's time.</summary>
    private static async Task<List<long>> RunPhaseAsync(List<SlipwayApi> clients, List<string> apps, int count)
    {
        var next = 0;
        var perClient = await Task.WhenAll(clients.Select(async (client, index) =>
        {
            var app = apps[index % apps.Count];
            var times = new List<long>();
            while (Interlocked.Increment(ref next) <= count)
            {
                var value = Interlocked.Increment(ref _value).ToString(CultureInfo.InvariantCulture);
                var start = Stopwatch.GetTimestamp();
                await client.ChangeConfigAsync(app, new Dictionary<string, string> { [ReleaseSeeder.Key] = value });
                times.Add(Stopwatch.GetTimestamp() - start);
            }

            return times;
        }));
        return perClient.SelectMany(t => t).ToList();
    }
}
