using System.ComponentModel.DataAnnotations;

namespace Slipway.Server.Runtime;

/// <summary>The <c>Slipway:Runtime</c> section: which runtime runs apps, and how the local one runs, waits for and stops app processes.</summary>
public sealed class RuntimeOptions
{
    public const string Section = "Slipway:Runtime";

    public const string Local = "local";

    public const string Kubernetes = "kubernetes";

    /// <summary><c>local</c> (processes on this machine behind the built-in router, default) or <c>kubernetes</c> (see <c>Slipway:Runtime:Kubernetes</c>).</summary>
    [RegularExpression("^(local|kubernetes)$", ErrorMessage = "Slipway:Runtime:Kind must be 'local' or 'kubernetes'.")]
    public string Kind { get; set; } = Local;

    /// <summary>How long a stopped process group gets between SIGTERM and SIGKILL.</summary>
    [Range(0, 3600)]
    public int StopGraceSeconds { get; set; } = 30;

    /// <summary>How long new processes get to be up (web: accepting on <c>PORT</c>) unless the app sets its own.</summary>
    [Range(1, 3600)]
    public int BootTimeoutSeconds { get; set; } = 60;

    /// <summary>How long a release phase (<c>release:</c> in the Procfile) may run before the release fails.</summary>
    [Range(1, 86400)]
    public int ReleasePhaseTimeoutSeconds { get; set; } = 900;

    /// <summary>The first wait before a crashed process is started again; it doubles per crash in a row.</summary>
    [Range(0, 3600)]
    public double RestartBackoffSeconds { get; set; } = 1;

    /// <summary>The longest wait between restarts of a process that keeps crashing.</summary>
    [Range(0, 86400)]
    public double MaxRestartBackoffSeconds { get; set; } = 60;

    /// <summary>How long a process must stay up for its crash streak (and backoff) to be forgotten.</summary>
    [Range(0, 86400)]
    public double CrashResetSeconds { get; set; } = 30;

    /// <summary>The most processes of one type an app may scale to.</summary>
    [Range(1, 1000)]
    public int MaxQuantity { get; set; } = 20;

    /// <summary>How many log lines are kept in memory per app.</summary>
    [Range(10, 1_000_000)]
    public int LogLinesPerApp { get; set; } = 1500;

    /// <summary>How many runtime jobs (deploys, scales, restarts) may wait before a request has to wait too.</summary>
    [Range(1, 100_000)]
    public int QueueCapacity { get; set; } = 1024;

    /// <summary>How many apps' runtime jobs run at once; one app's jobs always run one at a time, in order.</summary>
    [Range(1, 1024)]
    public int DeployConcurrency { get; set; } = 32;

    /// <summary>
    /// How long a server's claim on deploying an app lasts without renewal; after a server dies,
    /// another takes its pending releases over within about this long.
    /// </summary>
    [Range(2, 3600)]
    public int LeaseSeconds { get; set; } = 30;

    /// <summary>How often a server looks for pending releases that no server is deploying.</summary>
    [Range(1, 3600)]
    public int ClaimScanSeconds { get; set; } = 10;

    /// <summary>
    /// The host (or IP address) other servers reach this server's app processes at; their routers forward
    /// there. With a loopback address (the default) processes listen on 127.0.0.1 only, so every server
    /// must run on this machine; otherwise app processes are told to listen on every interface (<c>HOST=0.0.0.0</c>).
    /// </summary>
    [Required]
    public string AdvertiseAddress { get; set; } = "127.0.0.1";

    /// <summary>Whether <see cref="AdvertiseAddress"/> is this machine's loopback (processes then listen on 127.0.0.1 only).</summary>
    public bool AdvertisesLoopback => AdvertiseAddress == "localhost" || (System.Net.IPAddress.TryParse(AdvertiseAddress, out var ip) && System.Net.IPAddress.IsLoopback(ip));

    /// <summary>
    /// How many bytes the unpacked slugs (<c>runtime/slugs</c>) may take on disk; past it, the least recently
    /// used that no process runs are removed (and unpacked again when needed). Default 10 GiB.
    /// </summary>
    [Range(typeof(long), "0", "9223372036854775807")]
    public long SlugCacheMaxBytes { get; set; } = 10L * 1024 * 1024 * 1024;

    /// <summary>
    /// Whether non-admins may still deploy (create releases, start builds) when this server cannot
    /// isolate processes (see <see cref="Isolation"/>). Off by default: such a server refuses them.
    /// </summary>
    public bool AllowUnisolated { get; set; }

    /// <summary>How app, release-phase and build processes are kept from the server and from each other.</summary>
    public IsolationOptions Isolation { get; set; } = new();

    /// <summary>The resource limits of every app, release-phase and build process.</summary>
    public LimitOptions Limits { get; set; } = new();

    public TimeSpan Lease => TimeSpan.FromSeconds(LeaseSeconds);

    public TimeSpan StopGrace => TimeSpan.FromSeconds(StopGraceSeconds);

    public TimeSpan BootTimeout => TimeSpan.FromSeconds(BootTimeoutSeconds);
}

/// <summary>The <c>Slipway:Runtime:Isolation</c> section: the sandbox every app and build process runs in.</summary>
public sealed class IsolationOptions
{
    /// <summary>The bubblewrap program: a name looked up on PATH, or a full path.</summary>
    [Required]
    public string BubblewrapPath { get; set; } = "bwrap";

    /// <summary>The first uid (and gid) of the users apps run as, when the server runs as root: each app gets <c>FirstUid + n</c>, n stable per app.</summary>
    [Range(1000, 1_000_000_000)]
    public long FirstUid { get; set; } = 200_000;

    /// <summary>How many uids apps are spread over (from <see cref="FirstUid"/>); n is a hash of the app's id below this.</summary>
    [Range(1, 1_000_000_000)]
    public long UidCount { get; set; } = 1_000_000;

    /// <summary>More host folders processes see read-only (toolchains outside /usr and /opt); never the data folder.</summary>
    public List<string> ReadOnlyPaths { get; set; } = [];
}

/// <summary>The <c>Slipway:Runtime:Limits</c> section: resource limits per process (setrlimit); 0 is no limit.</summary>
public sealed class LimitOptions
{
    /// <summary>
    /// The memory each process may allocate, in MiB (RLIMIT_DATA: its heap and private writable
    /// mappings). Address space merely reserved is not counted, so .NET and node (WebAssembly) run.
    /// </summary>
    [Range(0, 1_048_576)]
    public long MemoryMegabytes { get; set; } = 4096;

    /// <summary>How many processes and threads the user of an app may have at once (RLIMIT_NPROC, counted per uid).</summary>
    [Range(0, 1_000_000)]
    public long Processes { get; set; } = 4096;

    /// <summary>How many files each process may hold open (RLIMIT_NOFILE).</summary>
    [Range(0, 1_048_576)]
    public long OpenFiles { get; set; } = 4096;
}
