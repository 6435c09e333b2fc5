using System.Text.Json;

namespace Slipway.Contracts;

/// <summary>
/// Creates a release: <see cref="Slug"/> deploys an uploaded slug; <see cref="Release"/>
/// (an id, a version number, or <c>"vN"</c>) rolls back to that release.
/// </summary>
public sealed record CreateReleaseRequest(string? Slug, JsonElement? Release, int? ExpectedCurrentVersion);

public sealed record IdRef(Guid Id);

public sealed record UserRef(Guid Id, string Email);

/// <summary>Where a release's code came from, as far as it is known (commit, author, message).</summary>
public sealed record ReleaseSource(string? Commit, string? Author, string? Message);

/// <summary>
/// A release. <see cref="Addons"/> are the add-ons attached in it; on a rollback release,
/// <see cref="AddonsNotRolledBack"/> lists the add-ons that differ from the target (empty when
/// none do; null on other releases).
/// </summary>
public sealed record ReleaseResponse(
    Guid Id,
    int Version,
    string Description,
    string Status,
    bool Current,
    IdRef? Slug,
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
    IReadOnlyList<AddonDifference>? AddonsNotRolledBack = null);
