using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Slipway.Bench.Runtime;

/// <summary>Where load goes: a URL and, for the router, the <c>Host</c> header that names the app.</summary>
public sealed record LoadTarget(Uri Url, string? Host = null);

/// <summary>
/// What a load run saw: requests completed, of which failed (non-2xx, connection errors, timeouts), over
/// how long, and the median and 99th percentile latency when the tool reports them (wrk's <c>--latency</c>).
/// </summary>
public sealed record LoadResult(long Requests, long Failed, TimeSpan Elapsed, TimeSpan? P50 = null, TimeSpan? P99 = null)
{
    public double PerSecond => Requests / Elapsed.TotalSeconds;
}

/// <summary>
/// A load tool: keep-alive HTTP/1.1 GETs on <see cref="Connections"/> connections until the duration
/// ends or <c>stop</c> is cancelled, whichever is first. Both sides of a comparison use the same one.
/// </summary>
public interface ILoadTool
{
    string Description { get; }

    int Connections { get; }

    Task<LoadResult> RunAsync(LoadTarget target, TimeSpan duration, CancellationToken stop);
}

/// <summary><c>wrk</c> (Debian package <c>wrk</c>), stopped early with SIGINT, after which it still prints its totals.</summary>
public sealed partial class WrkLoad(int threads, int connections) : ILoadTool
{
    public string Description => $"wrk, {threads} thread(s), {connections} connections";

    public int Connections => connections;

    public static bool IsInstalled() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, "wrk")));

    public async Task<LoadResult> RunAsync(LoadTarget target, TimeSpan duration, CancellationToken stop)
    {
        var start = new ProcessStartInfo("wrk")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-t", threads.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture), "-d", $"{Math.Ceiling(duration.TotalSeconds)}s", "--timeout", "10s", "--latency" })
        {
            start.ArgumentList.Add(argument);
        }

        if (target.Host is not null)
        {
            start.ArgumentList.Add("-H");
            start.ArgumentList.Add($"Host: {target.Host}");
        }

        start.ArgumentList.Add(target.Url.ToString());
        var clock = Stopwatch.StartNew();
        using var wrk = Process.Start(start)!;
        var output = wrk.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = wrk.StandardError.ReadToEndAsync(CancellationToken.None);
        using (stop.Register(() => Interrupt(wrk.Id)))
        {
            using var deadline = new CancellationTokenSource(duration + TimeSpan.FromSeconds(30));
            await wrk.WaitForExitAsync(deadline.Token);
        }

        var text = await output;
        var elapsed = clock.Elapsed;
        if (wrk.ExitCode != 0 || RequestsLine().Match(text) is not { Success: true } requests)
        {
            throw new InvalidOperationException($"wrk exited with {wrk.ExitCode}: {text}{await error}");
        }

        long Count(Regex pattern) => pattern.Match(text) is { Success: true } match ? match.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture)) : 0;
        var seconds = double.Parse(requests.Groups[2].Value, CultureInfo.InvariantCulture) * (requests.Groups[3].Value == "m" ? 60 : 1);
        return new LoadResult(
            long.Parse(requests.Groups[1].Value, CultureInfo.InvariantCulture),
            Count(NonSuccessLine()) + Count(SocketErrorsLine()),
            seconds > 0 ? TimeSpan.FromSeconds(seconds) : elapsed,
            Percentile(text, "50"),
            Percentile(text, "99"));
    }

    /// <summary>A line of wrk's "Latency Distribution", e.g. <c>99%    2.05ms</c>.</summary>
    private static TimeSpan? Percentile(string text, string percent)
    {
        foreach (Match line in PercentileLine().Matches(text))
        {
            if (line.Groups[1].Value != percent)
            {
                continue;
            }

            var value = double.Parse(line.Groups[2].Value, CultureInfo.InvariantCulture);
            return line.Groups[3].Value switch
            {
                "us" => TimeSpan.FromMicroseconds(value),
                "ms" => TimeSpan.FromMilliseconds(value),
                "s" => TimeSpan.FromSeconds(value),
                "m" => TimeSpan.FromMinutes(value),
                _ => TimeSpan.FromHours(value),
            };
        }

        return null;
    }

    /// <summary>SIGINT: wrk stops and prints what it did so far (a kill would lose the totals).</summary>
    private static void Interrupt(int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-INT", pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
        kill?.WaitForExit();
    }

    [GeneratedRegex(@"(\d+) requests in ([\d.]+)(m|s)")]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m|h)\s*$", RegexOptions.Multiline)]
    private static partial Regex PercentileLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex NonSuccessLine();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrorsLine();
}

/// <summary>The fallback when wrk is not installed: one loop per connection in this process, each with its own keep-alive connection.</summary>
public sealed class HttpClientLoad(int connections) : ILoadTool
{
    public string Description => $"in-process HttpClient loop, {connections} connections";

    public int Connections => connections;

    public async Task<LoadResult> RunAsync(LoadTarget target, TimeSpan duration, CancellationToken stop)
    {
        using var ends = CancellationTokenSource.CreateLinkedTokenSource(stop);
        ends.CancelAfter(duration);
        long requests = 0;
        long failed = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 1 }) { Timeout = TimeSpan.FromSeconds(10) };
            while (!ends.IsCancellationRequested)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, target.Url);
                if (target.Host is not null)
                {
                    request.Headers.Host = target.Host;
                }

                try
                {
                    using var response = await client.SendAsync(request, CancellationToken.None);
                    await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }
                catch (TaskCanceledException)
                {
                    Interlocked.Increment(ref failed);
                }

                Interlocked.Increment(ref requests);
            }
        })));
        return new LoadResult(requests, failed, clock.Elapsed);
    }
}
