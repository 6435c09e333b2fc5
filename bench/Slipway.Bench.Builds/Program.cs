using System.Diagnostics;
using System.Globalization;
using Slipway.Server;
using Slipway.Server.Builds;
using Slipway.Server.Unpacking;
using Slipway.TestSupport;

// Build-and-release time of a Procfile-only app from a local URL, the same source a second time
// (slug reused), and the floor: downloading and unpacking that archive alone.
// Run by hand: dotnet run -c Release --project bench/Slipway.Bench.Builds [-- --runs 10 --files 200]
var runs = Option("--runs", 10);
var fileCount = Option("--files", 200);

await using var server = await SlipwayTestServer.StartAsync(settings: new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Error" });
await using var archives = await ArchiveServer.StartAsync();
using var api = server.Api();
using var plain = new HttpClient();
var space = await api.CreateSpaceAsync("bench");

var floor = new List<double>();
var first = new List<double>();
var again = new List<double>();
var size = 0;
for (var run = 0; run < runs; run++)
{
    var bytes = Archive(fileCount, run);
    size = bytes.Length;
    var url = archives.Serve(bytes);

    var clock = Stopwatch.StartNew();
    var work = Directory.CreateTempSubdirectory("slipway-bench-").FullName;
    var archive = Path.Combine(work, "source");
    await File.WriteAllBytesAsync(archive, await plain.GetByteArrayAsync(url));
    ArchiveExtractor.Extract(archive, Path.Combine(work, "app"), ArchiveRules.ForSources(new BuildOptions(), new SlipwayOptions().Archives), CancellationToken.None);
    floor.Add(clock.Elapsed.TotalMilliseconds);
    Directory.Delete(work, recursive: true);

    var app = await api.CreateAppAsync(space.Name, $"bench{run}");
    first.Add(await BuildAndReleaseAsync(app.Name, url, expectReuse: false));
    again.Add(await BuildAndReleaseAsync(app.Name, archives.Serve(bytes, "again.tar.gz"), expectReuse: true));
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Procfile app: {fileCount + 1} files, {size / 1024.0:0.0} KiB tar.gz, {runs} runs; milliseconds, median (min … max)"));
Report("download + unpack (the floor)", floor);
Report("build + release", first);
Report("same source again (slug reused)", again);
return;

async Task<double> BuildAndReleaseAsync(string app, string url, bool expectReuse)
{
    var clock = Stopwatch.StartNew();
    var (ended, _) = await api.WaitForBuildAsync(await api.StartBuildAsync(app, new { url }));
    var elapsed = clock.Elapsed.TotalMilliseconds;
    if (ended.Status != "succeeded" || ended.Release is null || ended.SlugReused != expectReuse)
    {
        throw new InvalidOperationException($"Build {ended.Id} ended {ended.Status} (release {ended.Release?.Version}, reused {ended.SlugReused}): {ended.FailureReason}");
    }

    return elapsed;
}

static byte[] Archive(int files, int run) => Archives.TarGz(
    [
        new ArchiveFile("Procfile", "web: python3 -m http.server $PORT\n"),
        .. Enumerable.Range(0, files).Select(i => new ArchiveFile($"public/page{i}.html", $"<p>run {run}, page {i}</p>" + new string('x', 1024 + (i * 37 % 3072)))),
    ],
    folder: "site-main");

static void Report(string what, List<double> samples)
{
    var sorted = samples.Order().ToList();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {what,-34} {sorted[sorted.Count / 2],8:0.0}   ({sorted[0]:0.0} … {sorted[^1]:0.0})"));
}

int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}
