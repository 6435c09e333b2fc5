using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using Slipway.Server.Logs;
using Slipway.Server.Routing;

namespace Slipway.Server.Runtime;

/// <summary>
/// The embedded runtime: each process of an app's formation is a <see cref="Dyno"/> on this machine,
/// in its own process group, from the slug unpacked once into a read-only folder; the built-in
/// router sends each app's traffic to its healthy web processes. Stopping the server stops them all.
/// </summary>
public sealed partial class LocalRuntime(
    SlugCache slugs,
    ProcessRegistry registry,
    RouteTable routes,
    RouterHost router,
    ProcessRecords records,
    AppLogStore logs,
    ProcessLauncher launcher,
    TimeProvider clock,
    IOptions<RuntimeOptions> options,
    IOptions<SlipwayOptions> slipway,
    ILogger<LocalRuntime> logger) : IAppRuntime, IHostedService
{
    private const int MaxReleaseOutputChars = 512 * 1024;

    /// <summary>
    /// Heroku's convention: scripts a buildpack leaves in <c>.profile.d/</c> (PYTHONPATH, PATH and
    /// the like) are sourced before an app's command runs.
    /// </summary>
    private const string SourceProfile = "for f in .profile.d/*.sh; do [ -r \"$f\" ] && . \"./$f\"; done; ";

    private readonly ConcurrentDictionary<Guid, AppState> _apps = new();
    private readonly ConcurrentDictionary<int, byte> _ports = new();

    /// <summary>Every dyno from when it is made until it has stopped, with the slug it runs: what the slug cache must keep.</summary>
    private readonly ConcurrentDictionary<Dyno, string?> _live = new();

    private RuntimeOptions Options => options.Value;

    public bool RunsOnThisServer => true;

    public async Task CleanUpEarlierRunAsync(CancellationToken ct)
    {
        var leftovers = registry.Leftovers();
        if (leftovers.Count == 0)
        {
            return;
        }

        LogLeftovers(leftovers.Count);
        await Task.WhenAll(leftovers.Select(pgid => ProcessGroups.TerminateAsync(pgid, Options.StopGrace, clock, ct)));
    }

    public async Task<DeployOutcome> DeployAsync(ReleaseSpec release, CancellationToken ct)
    {
        var state = StateOf(release);
        if (release.SlugDigest is not { } digest)
        {
            // A release made before any code was deployed (a config change) has nothing to run.
            return DeployOutcome.Success(null);
        }

        UnpackedSlug unpacked;
        try
        {
            unpacked = await slugs.UnpackAsync(digest, ct);
        }
        catch (SlugUnpackException e)
        {
            return DeployOutcome.Failure(e.Message);
        }

        using var held = unpacked;
        var appDir = unpacked.AppDir;

        ReleasePhaseResult? phase = null;
        if (release.ProcessTypes.TryGetValue(ReleaseSpec.ReleasePhaseType, out var releaseCommand))
        {
            (phase, var problem) = await RunReleasePhaseAsync(release, appDir, releaseCommand, ct);
            if (problem is not null)
            {
                return DeployOutcome.Failure(problem, phase);
            }
        }

        var incoming = new List<Dyno>();
        foreach (var (type, quantity) in release.Formation.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            for (var index = 1; index <= quantity; index++)
            {
                incoming.Add(NewDyno(state, release, type, index, appDir));
            }
        }

        var (failure, log) = await BootAsync(state, incoming, ct);
        if (failure is not null)
        {
            return DeployOutcome.Failure(failure, phase, log);
        }

        List<Dyno> old;
        lock (state.Gate)
        {
            old = state.Dynos;
            state.Dynos = incoming;
            state.Running = release;
            foreach (var dyno in incoming)
            {
                state.Incoming.Remove(dyno);
                dyno.Routed = true;
            }

            RebuildRoute(state);
        }

        await RetireAsync(old);
        return DeployOutcome.Success(phase);
    }

    public async Task ScaleAsync(ReleaseSpec current, CancellationToken ct)
    {
        var state = StateOf(current);
        if (current.SlugDigest is not { } digest)
        {
            return;
        }

        lock (state.Gate)
        {
            if (state.Running?.ReleaseId == current.ReleaseId && current.Formation.All(f => state.Dynos.Count(d => d.Type == f.Key) == f.Value)
                && state.Dynos.All(d => current.Formation.ContainsKey(d.Type)))
            {
                // Already what it should be (the owner's periodic converge finds nothing to do).
                return;
            }
        }

        using var unpacked = await slugs.UnpackAsync(digest, ct);
        var appDir = unpacked.AppDir;
        var starting = new List<Dyno>();
        var retiring = new List<Dyno>();
        lock (state.Gate)
        {
            if (state.Running?.ReleaseId != current.ReleaseId)
            {
                // Nothing of this release runs yet (the server just started): start all of it.
                retiring.AddRange(state.Dynos);
                state.Dynos = [];
            }

            state.Running = current;
            var types = current.Formation.Keys.Union(state.Dynos.Select(d => d.Type)).ToList();
            foreach (var type in types)
            {
                var want = current.Formation.GetValueOrDefault(type);
                var have = state.Dynos.Where(d => d.Type == type).OrderBy(d => d.Index).ToList();
                retiring.AddRange(have.Skip(want));
                var taken = have.Take(want).Select(d => d.Index).ToHashSet();
                for (var index = 1; taken.Count < want; index++)
                {
                    if (taken.Add(index))
                    {
                        var dyno = NewDyno(state, current, type, index, appDir);
                        dyno.Routed = true;
                        starting.Add(dyno);
                    }
                }
            }

            state.Dynos = [.. state.Dynos.Except(retiring), .. starting];
            RebuildRoute(state);
        }

        foreach (var dyno in starting)
        {
            dyno.Start();
        }

        await RetireAsync(retiring);
    }

    public async Task<bool> RestartAsync(Guid appId, string? typeOrName, CancellationToken ct)
    {
        if (!_apps.TryGetValue(appId, out var state) || state.Running is not { SlugDigest: { } digest } running)
        {
            return false;
        }

        List<Dyno> selected;
        lock (state.Gate)
        {
            selected = state.Dynos.Where(d => typeOrName is null || d.Type == typeOrName || d.Name == typeOrName).ToList();
        }

        if (selected.Count == 0)
        {
            return false;
        }

        using var unpacked = await slugs.UnpackAsync(digest, ct);
        var appDir = unpacked.AppDir;
        var replacements = selected.Select(d => NewDyno(state, running, d.Type, d.Index, appDir)).ToList();
        var (failure, _) = await BootAsync(state, replacements, ct);
        if (failure is not null)
        {
            logs.Append(appId, "slipway[runtime]", $"Restart failed, the running processes were kept: {failure}");
            return true;
        }

        lock (state.Gate)
        {
            state.Dynos = [.. state.Dynos.Except(selected), .. replacements];
            foreach (var dyno in replacements)
            {
                state.Incoming.Remove(dyno);
                dyno.Routed = true;
            }

            RebuildRoute(state);
        }

        await RetireAsync(selected);
        return true;
    }

    public Task<IReadOnlyList<DynoStatus>> DynosAsync(Guid appId, CancellationToken ct) => Task.FromResult(Dynos(appId));

    private IReadOnlyList<DynoStatus> Dynos(Guid appId)
    {
        if (!_apps.TryGetValue(appId, out var state))
        {
            return [];
        }

        lock (state.Gate)
        {
            return state.Dynos.Concat(state.Incoming)
                .OrderBy(d => d.Type == ReleaseSpec.WebType ? 0 : 1)
                .ThenBy(d => d.Type, StringComparer.Ordinal)
                .ThenBy(d => d.Index)
                .ThenBy(d => d.ReleaseVersion)
                .Select(d => d.Status)
                .ToList();
        }
    }

    public async Task StopAppAsync(Guid appId, CancellationToken ct)
    {
        if (!_apps.TryRemove(appId, out var state))
        {
            return;
        }

        List<Dyno> all;
        lock (state.Gate)
        {
            all = [.. state.Dynos, .. state.Incoming];
            state.Dynos = [];
            state.Incoming.Clear();
            routes.Remove(state.Key);
            records.Publish(state.AppId, state.Key, 0, []);
        }

        await StopAllAsync(all);
        try
        {
            Directory.Delete(HomeOf(state.Key), recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    public IAsyncEnumerable<LogLine> ReadLogsAsync(Guid appId, int lines, bool follow, CancellationToken ct) =>
        logs.ReadAsync(appId, lines, follow, ct);

    /// <summary>The app's address on the built-in router.</summary>
    public string? WebUrlOf(string appKey) => router.UrlOf(appKey);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        slugs.TrackRunning(() => _live.Values);
        return Task.CompletedTask;
    }

    /// <summary>Server shutdown: every app process gets SIGTERM and its grace period, all apps at once.</summary>
    public Task StopAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_apps.Keys.ToList().Select(id => StopAppAsync(id, CancellationToken.None)));

    /// <summary>
    /// Starts <paramref name="dynos"/> next to what runs; null once all are up, otherwise why not and the
    /// last lines the failing one printed (and they are gone again).
    /// </summary>
    private async Task<(string? Failure, string? Log)> BootAsync(AppState state, List<Dyno> dynos, CancellationToken ct)
    {
        lock (state.Gate)
        {
            state.Incoming.AddRange(dynos);
        }

        foreach (var dyno in dynos)
        {
            dyno.Start();
        }

        string? failure;
        Dyno? failing;
        try
        {
            var results = await Task.WhenAll(dynos.Select(d => d.Booted)).WaitAsync(ct);
            var fallen = dynos.FirstOrDefault(d => d.State != DynoState.Up);
            var first = Array.FindIndex(results, r => r is not null);
            (failure, failing) = first >= 0 ? (results[first], dynos[first])
                : fallen is null ? (null, null) : ($"{fallen.Name} crashed right after it was up.", fallen);
        }
        catch (OperationCanceledException)
        {
            await DiscardAsync(state, dynos);
            throw;
        }

        // Read before they stop: a restart after its backoff would add lines of a second run.
        var log = failing?.FailureLog();
        if (failure is not null)
        {
            await DiscardAsync(state, dynos);
        }

        return (failure, log);
    }

    private async Task DiscardAsync(AppState state, List<Dyno> dynos)
    {
        lock (state.Gate)
        {
            state.Incoming.RemoveAll(dynos.Contains);
        }

        await StopAllAsync(dynos);
    }

    /// <summary>Takes dynos out of traffic, lets their requests in flight finish, then stops them.</summary>
    private async Task RetireAsync(List<Dyno> dynos)
    {
        if (dynos.Count == 0)
        {
            return;
        }

        await Task.WhenAll(dynos.Where(d => d.Destination is not null).Select(d => d.Destination!.DrainAsync(Options.StopGrace, clock)));
        await StopAllAsync(dynos);
    }

    private async Task StopAllAsync(List<Dyno> dynos)
    {
        await Task.WhenAll(dynos.Select(d => d.StopAsync(Options.StopGrace)));
        foreach (var dyno in dynos)
        {
            _ports.TryRemove(dyno.Port, out _);
            _live.TryRemove(dyno, out _);
        }
    }

    /// <summary>Routes the app's healthy web processes here, and records them for the other servers' routers.</summary>
    private void RebuildRoute(AppState state)
    {
        lock (state.Gate)
        {
            var up = state.Dynos.Where(d => d is { Routed: true, State: DynoState.Up, Destination: not null }).ToList();
            var version = state.Running?.Version ?? 0;
            routes.Set(state.AppId, state.Key, up.Select(d => d.Destination!).ToList(), version);
            records.Publish(state.AppId, state.Key, version, up.Select(d => (d.Name, AddressOf(d.Port))).ToList());
        }
    }

    /// <summary>Where other servers reach a process of this one.</summary>
    private string AddressOf(int port)
    {
        var host = Options.AdvertiseAddress;
        return $"{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    private Dyno NewDyno(AppState state, ReleaseSpec release, string type, int index, string appDir)
    {
        var port = AllocatePort();
        var name = $"{type}.{index}";
        var spec = AppProcess(release, release.ProcessTypes[type], appDir, EnvironmentFor(release, name, port, appDir));
        var context = new DynoContext(release.AppId, logs, registry, launcher, Options, release.HealthCheckPath, release.BootTimeout, clock, dyno =>
        {
            lock (state.Gate)
            {
                if (state.Dynos.Contains(dyno))
                {
                    RebuildRoute(state);
                }
            }
        });
        var dyno = new Dyno(type, index, release.Version, port, spec, context);
        _live[dyno] = release.SlugDigest;
        return dyno;
    }

    /// <summary>
    /// An app's command, run by the shell in the slug's folder after its <c>.profile.d/</c> scripts,
    /// in the app's sandbox: the slug read-only, its home writable, nothing else of the data folder.
    /// </summary>
    private ProcessSpec AppProcess(ReleaseSpec release, string command, string appDir, IReadOnlyDictionary<string, string> env) =>
        ProcessSpec.Shell(SourceProfile + command, appDir, env) with { Command = command, Sandbox = new ProcessSandbox(release.AppId, [appDir], [HomeOf(release.AppKey)]) };

    /// <summary>The release's config vars over a sensible base (PATH, HOME), under the variables the platform promises.</summary>
    private Dictionary<string, string> EnvironmentFor(ReleaseSpec release, string dynoName, int port, string appDir)
    {
        var home = HomeOf(release.AppKey);
        Directory.CreateDirectory(home);
        var inherited = Environment.GetEnvironmentVariable("PATH") is { Length: > 0 } path ? path : "/usr/local/bin:/usr/bin:/bin";
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = $"{appDir}/bin:{inherited}",
            ["HOME"] = home,
            ["LANG"] = "C.UTF-8",

            // Apps should only be reached through the routers; apps (and the built-in buildpacks'
            // defaults) that honour HOST bind to loopback, or where other servers reach them.
            ["HOST"] = Options.AdvertisesLoopback ? "127.0.0.1" : "0.0.0.0",
        };
        foreach (var (key, value) in release.ConfigVars)
        {
            env[key] = value;
        }

        env["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["DYNO"] = dynoName;
        env["SLIPWAY_APP"] = release.AppKey;
        env["SLIPWAY_RELEASE_VERSION"] = $"v{release.Version}";
        env[ProcessRegistry.EnvironmentVariable] = registry.RuntimeId;
        return env;
    }

    private async Task<(ReleasePhaseResult? Result, string? Problem)> RunReleasePhaseAsync(ReleaseSpec release, string appDir, string command, CancellationToken ct)
    {
        const string name = "release.1";
        var output = new StringBuilder();
        void Collect(string line)
        {
            logs.Append(release.AppId, $"app[{name}]", line);
            lock (output)
            {
                output.Append(line).Append('\n');
                if (output.Length > MaxReleaseOutputChars)
                {
                    output.Remove(0, output.Length - MaxReleaseOutputChars);
                }
            }
        }

        string Output()
        {
            lock (output)
            {
                return output.ToString();
            }
        }

        logs.Append(release.AppId, "slipway[release]", $"Running release command `{command}` for v{release.Version}");
        var env = EnvironmentFor(release, name, 0, appDir);
        env.Remove("PORT");
        ProcessSupervisor process;
        try
        {
            process = launcher.Start(AppProcess(release, command, appDir, env), (line, _) => Collect(line));
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            return (new ReleasePhaseResult(Output(), null), $"The release phase could not be started: {e.Message}");
        }

        registry.Track(process.Pgid);
        try
        {
            var timeout = TimeSpan.FromSeconds(Options.ReleasePhaseTimeoutSeconds);
            var finished = await Task.WhenAny(process.Exited, Task.Delay(timeout, clock, ct));
            if (finished != process.Exited)
            {
                await process.StopAsync(Options.StopGrace);
                ct.ThrowIfCancellationRequested();
                return (new ReleasePhaseResult(Output(), null), $"The release phase did not finish within {Options.ReleasePhaseTimeoutSeconds} s and was stopped.");
            }

            var status = await process.Exited;
            await process.KillLeftoversAsync();
            logs.Append(release.AppId, "slipway[release]", $"Release command exited with status {status}");
            return status == 0
                ? (new ReleasePhaseResult(Output(), 0), null)
                : (new ReleasePhaseResult(Output(), status), $"The release phase exited with status {status}.");
        }
        finally
        {
            registry.Untrack(process.Pgid);
        }
    }

    private int AllocatePort()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (_ports.TryAdd(port, 0))
            {
                return port;
            }
        }
    }

    /// <summary>The app's writable HOME; the slug's folder is read-only and shared.</summary>
    private string HomeOf(string appKey) => HomeOf(slipway.Value, appKey);

    /// <summary>Where an app's processes have their HOME on this server (removed with the app).</summary>
    public static string HomeOf(SlipwayOptions options, string appKey) => Path.Combine(options.FullDataDir, "runtime", "home", appKey);

    private AppState StateOf(ReleaseSpec release) => _apps.GetOrAdd(release.AppId, _ => new AppState(release.AppId, release.AppKey));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping {Count} process groups left running by an earlier run of the server.")]
    private partial void LogLeftovers(int count);

    /// <summary>What runs for one app. Changed only under <see cref="Gate"/>; operations on one app never overlap (the deployer sees to it).</summary>
    private sealed class AppState(Guid appId, string key)
    {
        public Lock Gate { get; } = new();

        public Guid AppId { get; } = appId;

        public string Key { get; } = key;

        public ReleaseSpec? Running { get; set; }

        /// <summary>The processes of the running release (and of restarts already switched to).</summary>
        public List<Dyno> Dynos { get; set; } = [];

        /// <summary>Processes being started for a deploy or restart, not yet taking traffic.</summary>
        public List<Dyno> Incoming { get; } = [];
    }
}
