using Slipway.Server.Logs;

namespace Slipway.Server.Runtime;

/// <summary>
/// What runs apps: the local supervisor and router (the default), or Kubernetes; it also says where an
/// app answers (the router, or the cluster's Ingress). The deployer hands it
/// one app's work at a time (never two operations on one app at once); apps run in parallel.
/// </summary>
public interface IAppRuntime
{
    /// <summary>
    /// Whether apps run on this server's machine (the local runtime): then each app has one owner server
    /// at a time (see <see cref="Deployer"/>); a cluster runtime needs none.
    /// </summary>
    bool RunsOnThisServer => false;

    /// <summary>Removes whatever an earlier run of the server left running. Called once, before anything starts.</summary>
    Task CleanUpEarlierRunAsync(CancellationToken ct);

    /// <summary>
    /// Restarts the app onto <paramref name="release"/>: release phase, new processes next to the old,
    /// traffic switched once they are healthy, then the old stopped. On failure nothing of the new
    /// release is left and whatever ran before keeps running untouched.
    /// </summary>
    Task<DeployOutcome> DeployAsync(ReleaseSpec release, CancellationToken ct);

    /// <summary>Drives what runs toward <paramref name="current"/>'s formation (after a scale, or at start-up).</summary>
    Task ScaleAsync(ReleaseSpec current, CancellationToken ct);

    /// <summary>Restarts the processes of a type (<c>web</c>), one process (<c>web.1</c>), or all when null; false when nothing matched.</summary>
    Task<bool> RestartAsync(Guid appId, string? typeOrName, CancellationToken ct);

    /// <summary>The app's processes as they are now.</summary>
    Task<IReadOnlyList<DynoStatus>> DynosAsync(Guid appId, CancellationToken ct);

    /// <summary>Stops every process of the app and forgets it (the app is being destroyed or has nothing to run).</summary>
    Task StopAppAsync(Guid appId, CancellationToken ct);

    /// <summary>The app's last <paramref name="lines"/> log lines, then new ones while <paramref name="follow"/>.</summary>
    IAsyncEnumerable<LogLine> ReadLogsAsync(Guid appId, int lines, bool follow, CancellationToken ct);

    /// <summary>
    /// Where the app answers on the web (an app's <c>web_url</c>, what a browser opens), whether or not it
    /// runs right now; null when this runtime gives it no address reachable from outside.
    /// </summary>
    string? WebUrlOf(string appKey);
}

/// <summary>A release as the runtime needs it: what to run, with which config, how many of each type.</summary>
/// <param name="Formation">Process type → quantity, for every type of the slug except <c>release</c>.</param>
public sealed record ReleaseSpec(
    Guid AppId,
    string AppKey,
    Guid ReleaseId,
    int Version,
    string? SlugDigest,
    IReadOnlyDictionary<string, string> ProcessTypes,
    IReadOnlyDictionary<string, string> ConfigVars,
    IReadOnlyDictionary<string, int> Formation,
    string? HealthCheckPath,
    TimeSpan BootTimeout)
{
    public const string ReleasePhaseType = "release";

    public const string WebType = "web";
}

/// <summary>
/// How a deploy ended; <see cref="ReleasePhase"/> is set when the slug has a release phase and it ran.
/// A failure keeps in <see cref="FailureLog"/> the last lines of the process that failed, or of the release phase.
/// </summary>
public sealed record DeployOutcome(bool Succeeded, string? FailureReason, ReleasePhaseResult? ReleasePhase, string? FailureLog = null)
{
    public static DeployOutcome Success(ReleasePhaseResult? phase) => new(true, null, phase);

    /// <summary>A failure; without <paramref name="log"/>, the end of the release phase's output (when it failed) says why.</summary>
    public static DeployOutcome Failure(string reason, ReleasePhaseResult? phase = null, string? log = null) =>
        new(false, reason, phase, log ?? (phase is { ExitCode: not 0 } ? Runtime.FailureLog.OfText(phase.Output) : null));
}

/// <summary>What the release phase printed and how it ended (no exit code: it timed out or could not start).</summary>
public sealed record ReleasePhaseResult(string Output, int? ExitCode);

public enum DynoState
{
    Starting,
    Up,
    Crashed,
}

/// <summary>One process as <c>aka ps</c> shows it: <c>web.1: up 3m (v12)</c>; <see cref="CreatedAt"/> is when it was first started.</summary>
public sealed record DynoStatus(string Name, string Type, DynoState State, DateTimeOffset Since, int ReleaseVersion, string Command, int Restarts, DateTimeOffset CreatedAt);
