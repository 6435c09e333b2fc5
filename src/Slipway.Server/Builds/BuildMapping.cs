using Slipway.Contracts;
using Slipway.Server.Apps;
using Slipway.Server.Slugs;
using Slipway.Server.Sources;

namespace Slipway.Server.Builds;

public static class BuildMapping
{
    /// <summary>The API's view of a build; <paramref name="build"/> must have its user loaded.</summary>
    public static BuildResponse ToResponse(Build build, App app, HttpRequest request, string stack) => new(
        build.Id,
        new NamedRef(app.Id, app.Key),
        StatusOf(build),
        SourceBlobOf(build),
        build.BuildpackUrl is { } url ? [new BuildpackRef(url, build.BuildpackName)] : [],
        build.SlugId is { } slug ? new IdRef(slug) : null,
        build.ReleaseId is { } release && build.ReleaseVersion is { } version ? new ReleaseRef(release, version) : null,
        build.Deploy != BuildDeploy.None,
        build.SlugReused,
        OutputStreamUrl(build, app, request),
        build.FailureReason,
        new UserRef(build.User.Id, build.User.Email),
        stack,
        build.CreatedAt,
        build.UpdatedAt,
        build.Notes);

    /// <summary>The build's source as Akkeris shows it (<c>source_blob</c>), also on the slug it made (<c>GET /slugs/{id}</c>).</summary>
    public static BuildSourceBlob SourceBlobOf(Build build) => new(
        SourceUrls.WithoutCredentials(build.SourceUrl),
        build.SourceChecksum ?? (build.SourceDigest is { } digest ? Checksum.Of(digest) : null),
        build.SourceVersion,
        build.Commit,
        build.Author,
        build.Message,
        build.Repo,
        build.Branch);

    public static string StatusOf(Build build) => build.Status.ToString().ToLowerInvariant();

    /// <summary>Carries the build's output key, so that it streams without a token (browsers' EventSource sends none).</summary>
    public static string OutputStreamUrl(Build build, App app, HttpRequest request) =>
        $"{request.Scheme}://{request.Host}{request.PathBase}/apps/{app.Key}/builds/{build.Id}/output?key={build.OutputKey}";
}
