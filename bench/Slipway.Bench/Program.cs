using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using Slipway.Bench;
using Slipway.TestSupport;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var options = BenchOptions.Parse(args, out var error);
if (options is null)
{
    Console.Error.WriteLine(error ?? BenchOptions.Usage);
    return error is null ? 0 : 2;
}

#if DEBUG
const string Build = "Debug build: numbers are not representative, use -c Release";
#else
const string Build = "Release build";
#endif
Console.WriteLine($"Slipway benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {RuntimeInformation.OSDescription}, {Build}, server GC {GCSettings.IsServerGC}");
Console.WriteLine("Server and clients share this process; HTTP/1.1 on 127.0.0.1, one keep-alive connection per client.");

var total = Stopwatch.StartNew();
await using var postgres = new PostgresServer();
foreach (var database in options.Databases)
{
    var source = database == Database.Sqlite
        ? "a fresh data folder"
        : Environment.GetEnvironmentVariable(PostgresServer.EnvironmentVariable) is { Length: > 0 }
            ? $"{PostgresServer.EnvironmentVariable}, a fresh database"
            : "a private cluster (initdb + pg_ctl), a fresh database";

    // EF logs the first probe of a fresh database's migration history as a failed command
    // (npgsql/efcore.pg#3407); a command that really fails still surfaces as a 500 here.
    await using var server = await SlipwayTestServer.StartAsync(database, postgres, new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "Critical",
    });
    Console.WriteLine();
    Console.WriteLine($"== {await ReleaseSeeder.EngineVersionAsync(server)} ({source}) ==");

    using (var admin = server.Api())
    {
        await admin.CreateSpaceAsync("bench", "benchmark");
    }

    Console.WriteLine($"Release creation: PATCH /apps/{{app}}/config-vars, a new value each time; {options.Requests} requests per row after {options.Warmup} warm-up");
    Console.WriteLine($"  {"clients",7} {"apps",5} {"median ms",10} {"p99 ms",8} {"max ms",8} {"releases/s",11}  check");
    var settings = new (int Clients, int Apps)[] { (1, 1), (options.Clients, 1), (options.Clients, options.Clients) };
    for (var i = 0; i < settings.Length; i++)
    {
        var (clients, apps) = settings[i];
        var row = await ReleaseCreationBench.RunAsync(server, "bench", $"create{i}x", clients, apps, options);
        var l = row.Latency;
        Console.WriteLine($"  {row.Clients,7} {row.Apps,5} {l.MedianMs,10:F2} {l.P99Ms,8:F2} {l.MaxMs,8:F2} {l.PerSecond,11:F1}  {row.Check}");
    }

    var (setup, rows) = await ReleaseListingBench.RunAsync(server, "bench", options);
    Console.WriteLine($"Release listing: GET /apps/{{app}}/releases, one page of {options.PageSize}; {options.ListRequests} requests per row after {options.ListWarmup} warm-up, rows taking turns");
    Console.WriteLine($"  {"app releases",12} {"Range",-28} {"median ms",10} {"p99 ms",8} {"max ms",8} {"median vs small",16}");
    var baseline = rows[0].Latency.MedianMs;
    foreach (var row in rows)
    {
        var l = row.Latency;
        Console.WriteLine($"  {row.AppReleases,12:N0} {row.Range,-28} {l.MedianMs,10:F2} {l.P99Ms,8:F2} {l.MaxMs,8:F2} {l.MedianMs / baseline,15:F2}x");
    }

    Console.WriteLine($"  big app: {setup.SeededReleases:N0} releases seeded by one INSERT ... SELECT in {setup.SeedTime.TotalSeconds:F1} s, first and last through the API; {setup.Check}");
}

Console.WriteLine();
Console.WriteLine($"Done in {total.Elapsed.TotalSeconds:F0} s.");
return 0;
