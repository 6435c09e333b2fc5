namespace Slipway.Contracts;

/// <summary>Heroku's <c>source_blob</c>: where the archive is, its checksum and version.</summary>
public sealed record SourceBlobRequest(string? Url, string? Checksum, string? Version, string? VersionDescription);

/// <summary>
/// Starts a build. Heroku's form puts the source in <see cref="SourceBlob"/>; Akkeris's flat form
/// gives <see cref="Url"/>, <see cref="Checksum"/>, <see cref="Sha"/> and the rest at the top.
/// <see cref="Deploy"/> makes the succeeded build a release; left out, the app's <c>auto-release</c>
/// feature decides (on unless switched off, as both platforms release builds by themselves).
/// </summary>
public sealed record CreateBuildRequest(
    SourceBlobRequest? SourceBlob,
    string? Url,
    string? Checksum,
    string? Version,
    string? Sha,
    string? Branch,
    string? Repo,
    string? Author,
    string? Message,
    bool? Deploy);

/// <summary>The build's source as Akkeris shows it: the archive plus what is known of its commit.</summary>
public sealed record BuildSourceBlob(
    string Url,
    string? Checksum,
    string? Version,
    string? Commit,
    string? Author,
    string? Message,
    string? Repo,
    string? Branch);

/// <summary>The buildpack a build used: a built-in (<c>slipway/nodejs</c>), a git URL or a folder.</summary>
public sealed record BuildpackRef(string Url, string? Name);

public sealed record ReleaseRef(Guid Id, int Version);

/// <summary>
/// A build. <see cref="Status"/> is <c>pending</c>, <c>succeeded</c> or <c>failed</c>;
/// <see cref="OutputStreamUrl"/> streams the output live (plain text, or <c>text/event-stream</c>
/// when asked) and works without a token; <see cref="Release"/> is set once a deploy released it.
/// </summary>
public sealed record BuildResponse(
    Guid Id,
    NamedRef App,
    string Status,
    BuildSourceBlob SourceBlob,
    IReadOnlyList<BuildpackRef> Buildpacks,
    IdRef? Slug,
    ReleaseRef? Release,
    bool Deploy,
    bool SlugReused,
    string OutputStreamUrl,
    string? FailureReason,
    UserRef User,
    string Stack,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Notes = null);

/// <summary>One line of build output and the stream it came on (<c>stdout</c> or <c>stderr</c>).</summary>
public sealed record BuildLine(string Line, string Stream);

public sealed record BuildResultBuild(Guid Id, string Status, string OutputStreamUrl);

/// <summary>Heroku's build result: the status, an exit code once finished (0 or 1), and the output.</summary>
public sealed record BuildResultResponse(BuildResultBuild Build, int? ExitCode, string? FailureReason, IReadOnlyList<BuildLine> Lines);

/// <summary>
/// A build's output in one answer, as Akkeris's CLI reads <c>output_stream_url</c>: the lines so far,
/// ending with <c>Finished: SUCCESS</c> or <c>Finished: FAILURE</c> once the build has ended.
/// </summary>
public sealed record BuildOutputResponse(BuildResultBuild Build, IReadOnlyList<string> Lines);
