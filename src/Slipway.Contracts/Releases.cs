using System.Text.Json;

namespace Slipway.Contracts;

/// <summary>
/// Creates a release: <see cref="Slug"/> deploys an uploaded slug; <see cref="Release"/>
/// (an id, a version number, or <c>"vN"</c>) rolls back to that release.
/// </summary>
public sealed record CreateReleaseRequest(string? Slug, JsonElement? Release, int? ExpectedCurrentVersion);

public sealed record IdRef(Guid Id);

/// <summary>
/// A release's slug. Always an object, with a null <see cref="Id"/> on a release without code: the
/// Akkeris CLI reads <c>release.slug.id</c> of every release. A slug built by a build has the build's id.
/// </summary>
public sealed record SlugRef(Guid? Id);

public sealed record UserRef(Guid Id, string Email);

/// <summary>Where a release's code came from, as far as it is known (commit, author, message).</summary>
public sealed record ReleaseSource(string? Commit, string? Author, string? Message);

/// <summary>
/// A release. <see cref="Current"/> marks the current release (the newest that has not failed);
/// <see cref="EligibleForRollback"/> is true on it too (see README). <see cref="State"/> is the
/// combined state of its release statuses (<c>success</c> when it has none), <see cref="Status"/>
/// whether it was deployed. <see cref="Addons"/> are the add-ons attached in it; on a rollback
/// release, <see cref="AddonsNotRolledBack"/> lists the add-ons that differ from the target (empty
/// when none do; null on other releases). A failed release says why in <see cref="FailureReason"/>
/// and, in <see cref="FailureLog"/>, the last lines (at most 20, 8 KiB) the failing process or the
/// release phase printed.
/// </summary>
public sealed record ReleaseResponse(
    Guid Id,
    int Version,
    string Description,
    string Status,
    bool Current,
    SlugRef Slug,
    UserRef User,
    NamedRef App,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    bool EligibleForRollback,
    string? IneligibleReason,
    IReadOnlyList<string> AddonPlanNames,
    IReadOnlyList<string> ConfigVarNames,
    string? FailureReason,
    int? RollbackOf,
    ReleaseSource? Source,
    IReadOnlyList<ReleaseAddon>? Addons = null,
    IReadOnlyList<AddonDifference>? AddonsNotRolledBack = null,
    string State = "success",
    string? FailureLog = null);

/// <summary>
/// Posts a release status (Akkeris): <see cref="State"/> is <c>error</c>, <c>failure</c>, <c>pending</c>
/// or <c>success</c>; <see cref="Context"/> (letters, digits and <c>/-+.</c>) names the outside system
/// and is the status's key on the release; the rest is optional.
/// </summary>
public sealed record CreateReleaseStatusRequest(string? State, string? Context, string? Name, string? Description, string? TargetUrl, string? ImageUrl);

/// <summary>Changes a release status: any field left out (or null) stays as it is, an empty text is cleared; the context cannot change.</summary>
public sealed record UpdateReleaseStatusRequest(string? State, string? Context, string? Name, string? Description, string? TargetUrl, string? ImageUrl);

/// <summary>A release status as Akkeris shows it, with the release it is on.</summary>
public sealed record ReleaseStatusResponse(
    Guid Id,
    string State,
    string Context,
    string? Name,
    string? Description,
    string? TargetUrl,
    string? ImageUrl,
    ReleaseRef Release,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A release's statuses and their combined <see cref="State"/> (error, then failure, then pending, else success).</summary>
public sealed record ReleaseStatusListResponse(string State, IReadOnlyList<ReleaseStatusResponse> Statuses, ReleaseRef Release);
