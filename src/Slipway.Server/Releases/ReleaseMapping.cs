using Slipway.Contracts;
using Slipway.Server.Apps;

namespace Slipway.Server.Releases;

public static class ReleaseMapping
{
    /// <summary>The API's view of a release; <paramref name="release"/> must have its slug and user loaded.</summary>
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

    /// <summary>
    /// Where the code came from, shown for releases that brought code (deploys); a config change
    /// or rollback reuses a slug but did not bring it, so it shows none, as on Heroku.
    /// </summary>
    private static ReleaseSource? SourceOf(Release release) =>
        release.Trigger is ReleaseTrigger.Deploy or ReleaseTrigger.AutoDeploy
        && release.Slug is { } slug && (slug.Commit is not null || slug.CommitDescription is not null)
            ? new ReleaseSource(slug.Commit, null, slug.CommitDescription)
            : null;
}
