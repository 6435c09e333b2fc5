namespace Slipway.Contracts;

/// <summary>
/// One process type of an app's formation. <see cref="Healthcheck"/> (web only) and
/// <see cref="BootTimeout"/> (seconds, the app's own) say when a new web process counts as up.
/// </summary>
public sealed record FormationResponse(string Type, int Quantity, string Command, string? Healthcheck, int BootTimeout, NamedRef App, DateTimeOffset? UpdatedAt);

/// <summary>A change to one process type: a new quantity, and/or (web) a health check path ("" removes it).</summary>
public sealed record FormationUpdate(string? Type, int? Quantity, string? Healthcheck);

/// <summary>
/// <c>PATCH /apps/{app}/formation</c>, as Heroku's batch update (<c>{"updates": [...]}</c>), plus the
/// app's boot timeout in seconds. Scaling makes no release.
/// </summary>
public sealed record FormationPatchRequest(List<FormationUpdate>? Updates, int? BootTimeout);

/// <summary>One running process (<c>web.1</c>): <see cref="State"/> is <c>starting</c>, <c>up</c> or <c>crashed</c>, since <see cref="Since"/>.</summary>
public sealed record DynoResponse(string Name, string Type, string State, DateTimeOffset Since, int ReleaseVersion, string Command, int Restarts);

/// <summary>
/// A release's release phase: whether the slug has one, how it ended (<see cref="ExitCode"/> null
/// while it has not finished, or when it timed out), and what it printed.
/// </summary>
public sealed record ReleaseOutputResponse(int Version, string Status, bool ReleasePhase, int? ExitCode, string Output);

/// <summary><c>POST /apps/{app}/log-sessions</c>: how many recent lines, and whether to keep following.</summary>
public sealed record LogSessionRequest(int? Lines, bool? Tail);

/// <summary>Where to <c>GET</c> the log stream (plain text, one line per entry) that the request described.</summary>
public sealed record LogSessionResponse(string LogplexUrl, int Lines, bool Tail);
