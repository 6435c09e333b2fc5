using Slipway.Contracts;
using Slipway.Server.Addons;
using Slipway.Server.Apps;

namespace Slipway.Server.Releases;

/// <summary>How a release reads in the API; the dashboard shows the same shape.</summary>
public static class ReleaseMapping
{
    /// <summary>
    /// The API's view of a release; the view's release must have its slug, build and user loaded.
    /// <c>current</c> marks the current release, and <c>eligible_for_rollback</c> is
    /// <see cref="Rollback.ListedEligible"/> (with the reason when it is false).
    /// </summary>
    public static ReleaseResponse ToResponse(ReleaseView view, App app)
    {
        var (release, currentVersion, rollbackTarget, state) = view;
        var eligible = Rollback.ListedEligible(release, currentVersion);
        return new ReleaseResponse(
            release.Id,
            release.Version,
            release.Description,
            release.Status.ToString().ToLowerInvariant(),
            release.Version == currentVersion,
            new SlugRef(release.SlugId),
            new UserRef(release.User.Id, release.User.Email),
            new NamedRef(app.Id, app.Key),
            release.CreatedAt,
            release.UpdatedAt,
            eligible,
            eligible ? null : Rollback.IneligibleReason(release, currentVersion),
            AddonPlanNames: [.. release.Addons.Select(a => a.PlanFullName)],
            release.ConfigVars.Keys.Order(StringComparer.Ordinal).ToList(),
            release.FailureReason,
            release.RollbackOf,
            SourceOf(release),
            [.. release.Addons.Select(AddonMapping.ToReleaseAddon)],
            AddonsNotRolledBack(release, rollbackTarget),
            ReleaseStatusService.NameOf(state),
            release.FailureLog);
    }

    /// <summary>A release status as the API shows it.</summary>
    public static ReleaseStatusResponse ToResponse(StatusCheck check, Release release) => new(
        check.Id,
        ReleaseStatusService.NameOf(check.State),
        check.Context,
        check.Name,
        check.Description,
        check.TargetUrl,
        check.ImageUrl,
        new ReleaseRef(release.Id, release.Version),
        check.CreatedAt,
        check.UpdatedAt);

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
