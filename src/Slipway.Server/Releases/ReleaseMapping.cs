using Slipway.Contracts;
using Slipway.Server.Apps;

namespace Slipway.Server.Releases;

public static class ReleaseMapping
{
    /// <summary>The API's view of a release; <paramref name="release"/> must have its slug, build and user loaded.</summary>
    public static ReleaseResponse ToResponse(Release release, App app, int? currentVersion)
    {
        var reason = Rollback.IneligibleReason(release, currentVersion);
        return new ReleaseResponse(
            release.Id,
            release.Version,
            release.Description,
            release.Status.ToString().ToLowerInvariant(),
            release.Version == currentVersion,
            release.SlugId is { } slugId ? new IdRef(slugId) : null,
            new UserRef(release.User.Id, release.User.Email),
            new NamedRef(app.Id, app.Key),
            release.CreatedAt,
            release.UpdatedAt,
            reason is null,
            reason,
            AddonPlanNames: [],
            release.ConfigVars.Keys.Order(StringComparer.Ordinal).ToList(),
            release.FailureReason,
            release.RollbackOf,
            SourceOf(release));
    }

    /// <summary>A release from a build shows the build's commit, author and message; otherwise what its slug says.</summary>
    private static ReleaseSource? SourceOf(Release release) => release switch
    {
        { Build: { } build } when build.Commit is not null || build.Author is not null || build.Message is not null => new ReleaseSource(build.Commit, build.Author, build.Message),
        { Build: not null } => null,
        { Slug: { } slug } when slug.Commit is not null || slug.CommitDescription is not null => new ReleaseSource(slug.Commit, null, slug.CommitDescription),
        _ => null,
    };
}
