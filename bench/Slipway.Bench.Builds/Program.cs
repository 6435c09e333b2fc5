using System.Diagnostics;
using System.Globalization;
using Slipway.Server;
using Slipway.Server.Builds;
using Slipway.Server.Unpacking;
using Slipway.TestSupport;

// Build-and-release time of a Procfile-only app from a local URL, the same source a second time
// (slug reused), and the floor: downloading and unpacking that archive alone.
// Run by hand: dotnet run -c Release --project bench/Slipway.Bench.Builds [-- --runs 10 --files 200]
// With --npm: the first and second deploy of an npm app of about 200 packages against the same
// npm ci run by hand (bench/README.md says what each figure is).
var npm = args.Contains("--npm");
var runs = Option("--runs", npm ? 3 : 10);
var fileCount = Option("--files", 200);

await using var server = await SlipwayTestServer.StartAsync(settings: new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Error" });
await using var archives = await ArchiveServer.StartAsync();
using var api = server.Api();
using var plain = new HttpClient();
var space = await api.CreateSpaceAsync("bench");
if (npm)
{
    await NpmAppAsync();
    return;
}

var floor = new List<double>();
var first = new List<double>();
var again = new List<double>();
var running = new List<double>();
var size = 0;

// The split of the first and the reused builds: the server runs in this process, so its build
// steps (BuildSteps' activities) are heard here; builds run one at a time.
var steps = new List<(string Step, double Ms)>();
var firstSplit = new Dictionary<string, List<double>>(StringComparer.Ordinal);
var againSplit = new Dictionary<string, List<double>>(StringComparer.Ordinal);
using var listener = new ActivityListener
{
    ShouldListenTo = source => source.Name == BuildSteps.SourceName,
    Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
    ActivityStopped = activity =>
    {
        lock (steps)
        {
            steps.Add((activity.OperationName, activity.Duration.TotalMilliseconds));
        }
    },
};
ActivitySource.AddActivityListener(listener);
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
    TakeSplit(null);
    first.Add(await BuildAndReleaseAsync(app.Name, url, expectReuse: false));
    TakeSplit(firstSplit);
    again.Add(await BuildAndReleaseAsync(app.Name, archives.Serve(bytes, "again.tar.gz"), expectReuse: true));
    TakeSplit(againSplit);
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Procfile app: {fileCount + 1} files, {size / 1024.0:0.0} KiB tar.gz, {runs} runs; milliseconds, median (min … max)"));
Report("download + unpack (the floor)", floor);
Report("build + release", first);
Report("same source again (slug reused)", again);
Report("  then its release running", running);
ReportSplit("Split of the first build (server-side steps, summed per build):", firstSplit);
ReportSplit("Split of the reused build (server-side steps, summed per build):", againSplit);
Console.WriteLine("  (the rest of a build: API, queue, build log, waiting for the output stream)");
return;

// The steps heard since the last call, summed per step into `into` (nothing kept when null).
void TakeSplit(Dictionary<string, List<double>>? into)
{
    lock (steps)
    {
        if (into is not null)
        {
            foreach (var group in steps.GroupBy(s => s.Step))
            {
                (into.TryGetValue(group.Key, out var list) ? list : into[group.Key] = []).Add(group.Sum(s => s.Ms));
            }

            (into.TryGetValue("(all steps)", out var all) ? all : into["(all steps)"] = []).Add(steps.Sum(s => s.Ms));
        }

        steps.Clear();
    }
}

static void ReportSplit(string title, Dictionary<string, List<double>> split)
{
    Console.WriteLine(title);
    foreach (var (step, samples) in split.OrderBy(s => s.Key, StringComparer.Ordinal))
    {
        Report("  " + step, samples);
    }
}

// The same npm app deployed twice per run, in a new app each run (so the first build has an
// empty build cache, like a first deploy), the second with server.js changed; against npm ci by
// hand in a fresh folder, with an empty npm cache and then with the warm one.
async Task NpmAppAsync()
{
    var package = NpmPackage();
    var lockDir = Directory.CreateTempSubdirectory("slipway-bench-lock-").FullName;
    await File.WriteAllTextAsync(Path.Combine(lockDir, "package.json"), package);
    await TestTools.RunAsync("npm", ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"], lockDir);
    var lockfile = await File.ReadAllTextAsync(Path.Combine(lockDir, "package-lock.json"));
    Directory.Delete(lockDir, recursive: true);
    var packages = System.Text.Json.JsonDocument.Parse(lockfile).RootElement.GetProperty("packages").EnumerateObject().Count() - 1;

    var coldHand = new List<double>();
    var warmHand = new List<double>();
    var firstDeploy = new List<double>();
    var secondDeploy = new List<double>();
    for (var run = 0; run < runs; run++)
    {
        var cache = Directory.CreateTempSubdirectory("slipway-bench-npm-cache-").FullName;
        coldHand.Add(await NpmCiAsync(package, lockfile, cache));
        warmHand.Add(await NpmCiAsync(package, lockfile, cache));
        Directory.Delete(cache, recursive: true);

        var app = await api.CreateAppAsync(space.Name, $"npm{run}");
        firstDeploy.Add(await DeployAsync(app.Name, archives.Serve(NpmApp(package, lockfile, "first"))));
        secondDeploy.Add(await DeployAsync(app.Name, archives.Serve(NpmApp(package, lockfile, "second"))));
        await api.DestroyAppAsync(app.Name);
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"npm app: {packages} packages in package-lock.json, {runs} runs; milliseconds, median (min … max)"));
    Report("npm ci by hand, empty npm cache", coldHand);
    Report("npm ci by hand, warm npm cache", warmHand);
    Report("first deploy (new app)", firstDeploy);
    Report("second deploy (server.js changed)", secondDeploy);
}

// Build, release, and the release running (the router's process up on its port).
async Task<double> DeployAsync(string app, string url)
{
    var clock = Stopwatch.StartNew();
    var (ended, output) = await api.WaitForBuildAsync(await api.StartBuildAsync(app, new { url }), TimeSpan.FromMinutes(10));
    if (ended.Status != "succeeded" || ended.Release is null)
    {
        throw new InvalidOperationException($"Build {ended.Id} ended {ended.Status}: {ended.FailureReason}\n{output}");
    }

    var release = await api.SettledAsync(app, ended.Release.Version, TimeSpan.FromMinutes(2));
    var elapsed = clock.Elapsed.TotalMilliseconds;
    return release.Status == "succeeded" ? elapsed : throw new InvalidOperationException($"v{release.Version} is {release.Status}: {release.FailureReason}");
}

static async Task<double> NpmCiAsync(string package, string lockfile, string cache)
{
    var dir = Directory.CreateTempSubdirectory("slipway-bench-npm-").FullName;
    await File.WriteAllTextAsync(Path.Combine(dir, "package.json"), package);
    await File.WriteAllTextAsync(Path.Combine(dir, "package-lock.json"), lockfile);
    var clock = Stopwatch.StartNew();
    await TestTools.RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--no-progress", "--cache", cache], dir);
    var elapsed = clock.Elapsed.TotalMilliseconds;
    Directory.Delete(dir, recursive: true);
    return elapsed;
}

// An Express API's usual dependencies: 200 packages to run, 28 more (nodemon) to develop with.
static string NpmPackage() => """
    {
      "name": "bench-api",
      "version": "1.0.0",
      "private": true,
      "scripts": { "start": "node server.js" },
      "dependencies": {
        "axios": "1.7.9", "bcryptjs": "2.4.3", "compression": "1.7.5", "cookie-parser": "1.4.7", "cors": "2.8.5",
        "dayjs": "1.11.13", "dotenv": "16.4.7", "ejs": "3.1.10", "express": "4.21.2", "helmet": "8.0.0",
        "joi": "17.13.3", "jsonwebtoken": "9.0.2", "lodash": "4.17.21", "morgan": "1.10.0", "multer": "1.4.5-lts.1",
        "nodemailer": "6.9.16", "pg": "8.13.1", "uuid": "11.0.3", "winston": "3.17.0", "yargs": "17.7.2"
      },
      "devDependencies": { "nodemon": "3.1.9" }
    }
    """;

static byte[] NpmApp(string package, string lockfile, string greeting) => Archives.TarGz(
    [
        new ArchiveFile("package.json", package),
        new ArchiveFile("package-lock.json", lockfile),
        new ArchiveFile("server.js", $"const app = require('express')();\napp.get('/', (q, r) => r.send('{greeting}'));\napp.listen(process.env.PORT, process.env.HOST);\n"),
    ],
    folder: "bench-api");

// POST to the build's end (with its release made); for a reused slug also the time from there
// until the release runs (the deployer starting its process), into `running`.
async Task<double> BuildAndReleaseAsync(string app, string url, bool expectReuse)
{
    var clock = Stopwatch.StartNew();
    var (ended, _) = await api.WaitForBuildAsync(await api.StartBuildAsync(app, new { url }));
    var elapsed = clock.Elapsed.TotalMilliseconds;
    if (ended.Status != "succeeded" || ended.Release is null || ended.SlugReused != expectReuse)
    {
        throw new InvalidOperationException($"Build {ended.Id} ended {ended.Status} (release {ended.Release?.Version}, reused {ended.SlugReused}): {ended.FailureReason}");
    }

    var release = await api.SettledAsync(app, ended.Release.Version, TimeSpan.FromMinutes(1));
    if (expectReuse)
    {
        running.Add(clock.Elapsed.TotalMilliseconds - elapsed);
    }

    return release.Status == "succeeded" ? elapsed : throw new InvalidOperationException($"v{release.Version} is {release.Status}: {release.FailureReason}");
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
