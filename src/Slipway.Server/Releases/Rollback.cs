using Microsoft.EntityFrameworkCore;
using Slipway.Server.Data;
using Slipway.Server.Http;

namespace Slipway.Server.Releases;

/// <summary>
/// The rollback rules: which releases may be a target, which one "previous" means, what
/// <c>eligible_for_rollback</c> says, and what the new release carries (the target's slug and user
/// config; add-ons stay as they are now). A rollback is measured against the current release (the
/// newest that did not fail), so a rollback to the serving release while a newer one is pending is
/// allowed: it undoes the pending change.
/// </summary>
public static class Rollback
{
    public const string Previous = "previous";

    /// <summary>Why <paramref name="release"/> cannot be rolled back to, or null when it can.</summary>
    public static string? IneligibleReason(Release release, int? currentVersion) => release switch
    {
        { Status: ReleaseStatus.Failed } => $"v{release.Version} failed; a failed release cannot be rolled back to.",
        { Status: ReleaseStatus.Pending } => $"v{release.Version} is still pending.",
        { SlugId: null } => $"v{release.Version} has no slug (no code had been deployed yet).",
        _ when release.Version == currentVersion => $"v{release.Version} is the current release.",
        _ => null,
    };

    /// <summary>
    /// What <c>eligible_for_rollback</c> says: whether <paramref name="release"/> may be rolled back
    /// to, except that the current release always says true. Heroku's CLI rolls back (without a
    /// version) to the second release marked eligible on a page of the newest first, taking the first
    /// for the one the app is on; marked so, the second is always <see cref="Previous"/>, since every
    /// release between them is failed, pending or without code. Rolling back to the current release
    /// itself is still refused, as it would change nothing.
    /// </summary>
    public static bool ListedEligible(Release release, int? currentVersion) =>
        release.Version == currentVersion || IneligibleReason(release, currentVersion) is null;

    /// <summary>Decides a rollback to <paramref name="reference"/> (id, N, vN, or <see cref="Previous"/>).</summary>
    public static async Task<ReleasePlan> PlanAsync(SlipwayDb db, Guid appId, string appKey, string reference, ReleaseState state, CancellationToken ct)
    {
        var current = state.Current?.Version;
        Release? target;
        if (reference == Previous)
        {
            target = await ReleaseQueries.PreviousAsync(db, appId, current, ct);
            if (target is null)
            {
                return new ReleasePlan.Refuse(Refusal.Invalid($"{appKey} has no earlier release to roll back to."));
            }
        }
        else
        {
            target = ReleaseQueries.ByReference(db, appId, reference) is { } query ? await query.AsNoTracking().FirstOrDefaultAsync(ct) : null;
            if (target is null)
            {
                return new ReleasePlan.Refuse(Refusal.NotFound($"Release '{reference}' not found for {appKey}."));
            }
        }

        if (IneligibleReason(target, current) is { } reason)
        {
            return new ReleasePlan.Refuse(Refusal.Invalid($"Cannot roll back to v{target.Version}: {reason}"));
        }

        return new ReleasePlan.Create(new ReleaseDraft(target.SlugId, target.ConfigVars, $"Rollback to v{target.Version}", ReleaseTrigger.Rollback, target.Version));
    }
}
