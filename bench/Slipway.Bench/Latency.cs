using System.Diagnostics;

namespace Slipway.Bench;

/// <summary>The latencies of one measured run and how long the whole run took.</summary>
public sealed record Latency(int Count, double MedianMs, double P99Ms, double MaxMs, TimeSpan Elapsed)
{
    public double PerSecond => Count / Elapsed.TotalSeconds;

    /// <summary>Summarizes <see cref="Stopwatch"/> timestamps differences with nearest-rank percentiles.</summary>
    public static Latency Of(IEnumerable<long> timestampTicks, TimeSpan elapsed)
    {
        var ms = timestampTicks.Select(t => t * 1000.0 / Stopwatch.Frequency).Order().ToArray();
        if (ms.Length == 0)
        {
            throw new InvalidOperationException("No request was measured.");
        }

        return new Latency(ms.Length, Rank(ms, 0.50), Rank(ms, 0.99), ms[^1], elapsed);
    }

    private static double Rank(double[] sorted, double percentile) =>
        sorted[Math.Clamp((int)Math.Ceiling(percentile * sorted.Length) - 1, 0, sorted.Length - 1)];
}
