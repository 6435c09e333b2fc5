using Slipway.Contracts;
using Slipway.Server.Addons;
using Slipway.Server.Apps;

namespace Slipway.Server.Releases;

/// <summary>How a release reads in the API; the dashboard shows the same shape.</summary>
public static class ReleaseMapping
{
    /// <summary>
    /// The API's view of a release; the view's release must have its slug, build and user loaded.
    /// Its <c>current</c> flag marks the serving release for now, as clients have seen it so far.
    /// </summary>
    public static ReleaseResponse ToResponse(ReleaseView view, App app)
    {
        var (release, servingVersion, rollbackTarget) = view;
        var reason = Rollback.IneligibleReason(release, servingVersion);
        return new ReleaseResponse(
            release.Id,
            release.Version,
            release.Description,
            release.Status.ToString().ToLowerInvariant(),
            release.Version == servingVersion,
            release.SlugId is { } slugId ? new IdRef(slugId) : null,
            new UserRef(release.User.Id, release.User.Email),
            new NamedRef(app.Id, app.Key),
            release.CreatedAt,
            release.UpdatedAt,
            reason is null,
            reason,
            AddonPlanNames: [.. release.Addons.Select(a => a.PlanFullName)],
            release.ConfigVars.Keys.Order(StringComparer.Ordinal).ToList(),
            release.FailureReason,
            release.RollbackOf,
            SourceOf(release),
            [.. release.Addons.Select(AddonMapping.ToReleaseAddon)],
            AddonsNotRolledBack(release, rollbackTarget));
    }

    /// <summary>
    /// The add-ons a rollback did not roll back: attached now but not in the target, or in the
    /// target but detached since. Null for releases that are not rollbacks.
    /// </summary>
    private static List<AddonDifference>? AddonsNotRolledBack(Release release, Release? target)
    {
        if (release.RollbackOf is null || target is null)
        {
            return null;
        }

        var now = release.Addons;
        var then = target.Addons;
        return
        [
            .. now.Where(a => !then.Any(t => t.AddonId == a.AddonId)).Select(a => new AddonDifference(a.AddonId, a.Name, a.PlanFullName, AttachedNow: true)),
            .. then.Where(t => !now.Any(a => a.AddonId == t.AddonId)).Select(t => new AddonDifference(t.AddonId, t.Name, t.PlanFullName, AttachedNow: false)),
        ];
    }

    /// <summary>
    /// Where the code came from, for releases that brought code (deploys): the build's commit,
    /// author and message, else what the slug says. A config change or rollback reuses a slug but
    /// did not bring it, so it shows none, as on Heroku.
    /// </summary>
    private static ReleaseSource? SourceOf(Release release) => release switch
    {
        { Trigger: not (ReleaseTrigger.Deploy or ReleaseTrigger.AutoDeploy) } => null,
        { Build: { } build } when build.Commit is not null || build.Author is not null || build.Message is not null => new ReleaseSource(build.Commit, build.Author, build.Message),
        { Build: not null } => null,
        { Slug: { } slug } when slug.Commit is not null || slug.CommitDescription is not null => new ReleaseSource(slug.Commit, null, slug.CommitDescription),
        _ => null,
    };
}
