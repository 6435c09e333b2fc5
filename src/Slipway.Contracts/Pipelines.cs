namespace Slipway.Contracts;

/// <summary>Creates a pipeline: a name of lowercase letters, digits and dashes.</summary>
public sealed record CreatePipelineRequest(string? Name);

/// <summary>A pipeline (Akkeris): a shared name that couples apps in stages.</summary>
public sealed record PipelineResponse(Guid Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>The release status contexts that must all be <c>success</c> on a release before it is promoted to the coupled app.</summary>
public sealed record RequiredStatusChecks(IReadOnlyList<string>? Contexts);

/// <summary>
/// Couples an app (key or id) to a pipeline (name or id) at a stage (<c>review</c>,
/// <c>development</c>, <c>staging</c> or <c>production</c>).
/// </summary>
public sealed record CreatePipelineCouplingRequest(string? App, string? Pipeline, string? Stage, RequiredStatusChecks? RequiredStatusChecks);

/// <summary>Changes a coupling's stage or required checks; what is left out stays as it is.</summary>
public sealed record UpdatePipelineCouplingRequest(string? Stage, RequiredStatusChecks? RequiredStatusChecks);

/// <summary>
/// The coupled app's current release as a pipeline shows it: its <see cref="Status"/> (whether it
/// was deployed) and the combined <see cref="State"/> of the statuses posted on it.
/// </summary>
public sealed record CouplingRelease(Guid Id, int Version, string Description, string Status, string State, DateTimeOffset CreatedAt);

/// <summary>An app's place in a pipeline; <see cref="Release"/> is its current release (null when it has none).</summary>
public sealed record PipelineCouplingResponse(
    Guid Id,
    NamedRef App,
    NamedRef Pipeline,
    string Stage,
    RequiredStatusChecks RequiredStatusChecks,
    CouplingRelease? Release,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>One app's state for a context of <c>GET /pipelines/{p}/statuses</c>: the state posted on its current release, or null when none was.</summary>
public sealed record PipelineContextState(NamedRef App, ReleaseRef Release, string? State);

/// <summary>
/// A status context of a pipeline: the apps that require it and the state it has on each app's
/// current release; <see cref="Name"/> is the name a posted status gave it (null when none did).
/// </summary>
public sealed record PipelineStatusResponse(string Context, string? Name, IReadOnlyList<NamedRef> RequiredBy, IReadOnlyList<PipelineContextState> Apps);

/// <summary>Something named by id (or name) in a promotion request, as Akkeris sends it: <c>{"id": "..."}</c>.</summary>
public sealed record PromotionRef(string? Id);

/// <summary>An app in a promotion request; the Akkeris CLI puts the source release inside it (<c>source.app.release</c>).</summary>
public sealed record PromotionAppRef(string? Id, PromotionRef? Release = null);

public sealed record PromotionSourceRef(PromotionAppRef? App, PromotionRef? Release = null);

public sealed record PromotionTargetRef(PromotionAppRef? App);

/// <summary>
/// Promotes the source app's release (its current one, else the one named by id, N or vN) to
/// <see cref="Targets"/>, by default every app of the next stage. <see cref="Safe"/> also refuses
/// when the config var names of the source and a target differ.
/// </summary>
public sealed record CreatePipelinePromotionRequest(PromotionRef? Pipeline, PromotionSourceRef? Source, IReadOnlyList<PromotionTargetRef>? Targets = null, bool? Safe = null);

/// <summary>What a promotion made on one target: the release and its status (<c>pending</c>, <c>succeeded</c> or <c>failed</c>).</summary>
public sealed record PromotionTargetResponse(NamedRef App, ReleaseRef Release, string Status);

/// <summary>A promotion's source; <see cref="Space"/> is there for the Akkeris CLI, which prints it.</summary>
public sealed record PromotionSourceResponse(NamedRef App, ReleaseRef Release, SpaceNameRef Space);

public sealed record SpaceNameRef(string Name);

/// <summary>
/// A promotion. <see cref="Status"/> is <c>pending</c> until no target's release is, then
/// <c>succeeded</c> when every target's release did, else <c>failed</c>.
/// </summary>
public sealed record PipelinePromotionResponse(
    Guid Id,
    NamedRef Pipeline,
    PromotionSourceResponse Source,
    IReadOnlyList<PromotionTargetResponse> Targets,
    string Status,
    bool Safe,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
