using System.Diagnostics;
using System.Globalization;
using System.Net;
using Slipway.Bench.Runtime;
using Slipway.TestSupport;

// Issue 3's figures, side by side: (a) rollback POST → router serving the target, against the same
// app started bare from a shell; (b) requests/second through the router against straight to the
// app's process, with the same load tool, and through nginx (when installed) proxying the same process; (c) failed requests during 10 deploys and rollbacks under load.
// Run by hand: dotnet run -c Release --project bench/Slipway.Bench.Runtime [-- --app node|python --runs 10 --rounds 3 --seconds 5 --connections 16]
var kind = Text("--app", "node");
var runs = Option("--runs", 10);
var seconds = Option("--seconds", 5);
var rounds = Option("--rounds", 3);
var connections = Option("--connections", 16);
var changes = Option("--changes", 10);
ILoadTool load = args.Contains("--no-wrk") || !WrkLoad.IsInstalled() ? new HttpClientLoad(connections) : new WrkLoad(Option("--threads", 1), connections);
var app = BenchApp.For(kind);
var pollDelay = TimeSpan.FromMilliseconds(5);

await using var server = await SlipwayTestServer.StartAsync(settings: ServerSettings.QuickRuntime.With(new Dictionary<string, string?>
{
    ["Logging:LogLevel:Default"] = "Error",
    ["Logging:LogLevel:Microsoft.AspNetCore"] = "Error",
}));
using var api = server.Api();
using var poller = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(30) }) { Timeout = TimeSpan.FromSeconds(10) };
var space = await api.CreateSpaceAsync("benchrt");
var key = (await api.CreateAppAsync(space.Name, "rtbench")).Name;
var host = $"{key}.localhost";
var router = new Uri($"http://127.0.0.1:{server.RouterPort}/");
var bareFolder = app.WriteFolder("A");
NginxProxy? nginx = null;
try
{
    var slugA = await UploadAsync("A");
    var slugB = await UploadAsync("B");
    var deployedA = await ReleaseAsync(new { slug = slugA.ToString() });
    var deployedB = await ReleaseAsync(new { slug = slugB.ToString() });
    await ServedAsync(deployedB);

    // (a) Bare start and rollback take turns, so that drift on a shared machine hits both alike.
    var bare = new List<double>();
    var rollback = new List<double>();
    for (var run = -2; run < runs; run++)
    {
        var bareMs = await BareStartAsync();
        var target = run % 2 == 0 ? deployedA : deployedB;
        var clock = Stopwatch.StartNew();
        var posted = await api.CreateReleaseAsync(key, new { release = target });
        await ServedAsync(posted.Version);
        var rollbackMs = clock.Elapsed.TotalMilliseconds;
        await SettledAsync(posted.Version);
        if (run >= 0)
        {
            bare.Add(bareMs);
            rollback.Add(rollbackMs);
        }
    }

    // (b) The same process behind the router, straight (the port the runtime gave it) and behind
    // nginx. The sides take turns, so that drift on a shared machine hits them alike.
    var appPort = BenchApp.PortOfRunningProcess(key);
    var direct = new LoadTarget(new Uri($"http://127.0.0.1:{appPort}/"));
    var routed = new LoadTarget(router, host);
    if (NginxProxy.IsInstalled() && !args.Contains("--no-nginx"))
    {
        nginx = await NginxProxy.StartAsync(appPort, keepalive: connections);
    }

    var proxied = nginx is null ? null : new LoadTarget(new Uri($"http://127.0.0.1:{nginx.Port}/"), host);
    await load.RunAsync(direct, TimeSpan.FromSeconds(2), CancellationToken.None);
    await load.RunAsync(routed, TimeSpan.FromSeconds(2), CancellationToken.None);
    if (proxied is not null)
    {
        await load.RunAsync(proxied, TimeSpan.FromSeconds(2), CancellationToken.None);
    }

    var straight = new List<LoadResult>();
    var through = new List<LoadResult>();
    var peer = new List<LoadResult>();
    var routerCpu = new List<double>();
    for (var round = 0; round < rounds; round++)
    {
        straight.Add(await load.RunAsync(direct, TimeSpan.FromSeconds(seconds), CancellationToken.None));
        // The router runs in this process: its CPU time per request moves far less with the machine's other load than requests/s do.
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var routedResult = await load.RunAsync(routed, TimeSpan.FromSeconds(seconds), CancellationToken.None);
        through.Add(routedResult);
        routerCpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / Math.Max(1, routedResult.Requests));
        if (proxied is not null)
        {
            peer.Add(await load.RunAsync(proxied, TimeSpan.FromSeconds(seconds), CancellationToken.None));
        }
    }

    // nginx proxies the process of (b)'s release only; (c) replaces that process.
    if (nginx is not null)
    {
        await nginx.DisposeAsync();
        nginx = null;
    }

    // (c) Deploys and rollbacks take turns under load through the router; the load is bounded by
    // a long duration and stopped as soon as the last release is live.
    using var stop = new CancellationTokenSource();
    var underLoad = load.RunAsync(routed, TimeSpan.FromMinutes(5), stop.Token);
    var changeClock = Stopwatch.StartNew();
    var last = deployedB;
    for (var change = 0; change < changes; change++)
    {
        var body = change % 2 == 0 ? (object)new { slug = (change % 4 == 0 ? slugA : slugB).ToString() } : new { release = last - 1 };
        last = await ReleaseAsync(body);
    }

    await ServedAsync(last);
    var changeSeconds = changeClock.Elapsed.TotalSeconds;
    await stop.CancelAsync();
    var during = await underLoad;

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Runtime: {app.Kind} app (`{app.Command}`), {Environment.ProcessorCount} cores; load: {load.Description}"));
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"(a) start to answering, ms over {runs} runs    median     min … max"));
    Report("bare start from /bin/sh -c", bare);
    Report("rollback POST → router serves it", rollback);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    ratio rollback / bare (goal <= 1.1)     {Median(rollback) / Median(bare),6:0.00}"));
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"(b) requests/second, {rounds} rounds of {seconds} s   median     min … max   failed   p50 ms   p99 ms"));
    Throughput("straight to the app process", straight);
    Throughput("through the router", through);
    if (peer.Count > 0)
    {
        Throughput("through nginx (1 worker, keepalive)", peer);
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    router CPU per request, µs (router and server process)  {Median(routerCpu),6:0.0}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    ratio router / straight (goal > 0.8)  {Median([.. through.Select(r => r.PerSecond)]) / Median([.. straight.Select(r => r.PerSecond)]),6:0.00}"));
    if (peer.Count > 0)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    ratio router / nginx, requests/s (goal >= 1.0)  {Median([.. through.Select(r => r.PerSecond)]) / Median([.. peer.Select(r => r.PerSecond)]),6:0.00}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    ratio router / nginx, p50 latency (lower is better)  {LatencyRatio(through, peer, r => r.P50)}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    ratio router / nginx, p99 latency (goal <= 1.0)  {LatencyRatio(through, peer, r => r.P99)}"));
    }
    else
    {
        Console.WriteLine("    nginx: skipped (not on the PATH, or --no-nginx)");
    }

    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"(c) {changes} deploys and rollbacks in {changeSeconds:0.0} s under load through the router"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    requests                          {during.Requests,10}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    failed (goal 0)                   {during.Failed,10}"));
}
finally
{
    if (nginx is not null)
    {
        await nginx.DisposeAsync();
    }

    await api.Http.DeleteAsync($"/apps/{key}?confirm={key}");
    Directory.Delete(bareFolder, recursive: true);
}

return;

async Task<Guid> UploadAsync(string mark) => (await api.UploadSlugAsync(key, app.Slug(mark), new Dictionary<string, string> { ["web"] = app.Command })).Id;

// Makes a release, waits until it succeeded, and answers its version.
async Task<int> ReleaseAsync(object body)
{
    var release = await api.CreateReleaseAsync(key, body);
    await SettledAsync(release.Version);
    return release.Version;
}

async Task SettledAsync(int version)
{
    var release = await api.SettledAsync(key, version, TimeSpan.FromSeconds(60));
    if (release.Status != "succeeded")
    {
        throw new InvalidOperationException($"v{version} is {release.Status}: {release.FailureReason}");
    }
}

// Polls the router until the release's own processes answer.
Task ServedAsync(int version) => AnswersAsync(() => new HttpRequestMessage(HttpMethod.Get, router) { Headers = { Host = host } }, $"v{version} ");

async Task<double> BareStartAsync()
{
    var port = BenchApp.FreePort();
    var clock = Stopwatch.StartNew();
    using var process = app.StartBare(bareFolder, port);
    try
    {
        await AnswersAsync(() => new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/"), "bare ");
        return clock.Elapsed.TotalMilliseconds;
    }
    finally
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }
}

// The same poll for both sides of (a): a GET every 5 ms until the body starts with the prefix.
async Task AnswersAsync(Func<HttpRequestMessage> request, string prefix)
{
    var deadline = Stopwatch.StartNew();
    while (deadline.Elapsed < TimeSpan.FromSeconds(30))
    {
        try
        {
            using var message = request();
            using var response = await poller.SendAsync(message);
            if (response.StatusCode == HttpStatusCode.OK && (await response.Content.ReadAsStringAsync()).StartsWith(prefix, StringComparison.Ordinal))
            {
                return;
            }
        }
        catch (HttpRequestException)
        {
            // Not listening yet.
        }

        await Task.Delay(pollDelay);
    }

    throw new TimeoutException($"Nothing answered '{prefix}' within 30 s.");
}

static double Median(List<double> samples) => samples.Order().ElementAt(samples.Count / 2);

static void Report(string what, List<double> samples)
{
    var sorted = samples.Order().ToList();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {what,-34} {Median(samples),8:0.0}  {sorted[0]:0.0} … {sorted[^1]:0.0}"));
}

static void Throughput(string what, List<LoadResult> results)
{
    var sorted = results.Select(r => r.PerSecond).Order().ToList();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {what,-34} {Median(sorted),8:0}  {sorted[0]:0} … {sorted[^1]:0}  {results.Sum(r => r.Failed),6}  {Milliseconds(results, r => r.P50),7}  {Milliseconds(results, r => r.P99),7}"));
}

// The median over the rounds of one latency percentile, or "n/a" when the load tool does not report it.
static double? LatencyMedian(List<LoadResult> results, Func<LoadResult, TimeSpan?> percentile) =>
    results.Select(percentile).Any(p => p is null) ? null : Median([.. results.Select(r => percentile(r)!.Value.TotalMilliseconds)]);

static string Milliseconds(List<LoadResult> results, Func<LoadResult, TimeSpan?> percentile) =>
    LatencyMedian(results, percentile) is { } ms ? ms.ToString("0.00", CultureInfo.InvariantCulture) : "n/a";

static string LatencyRatio(List<LoadResult> mine, List<LoadResult> theirs, Func<LoadResult, TimeSpan?> percentile) =>
    LatencyMedian(mine, percentile) is { } a && LatencyMedian(theirs, percentile) is { } b ? (a / b).ToString("0.00", CultureInfo.InvariantCulture) : "n/a (no latency from the load tool)";

int Option(string name, int fallback) => int.Parse(Text(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

string Text(string name, string fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
}
