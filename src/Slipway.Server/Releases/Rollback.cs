using Microsoft.EntityFrameworkCore;
using Slipway.Server.Data;
using Slipway.Server.Http;

namespace Slipway.Server.Releases;

/// <summary>
/// The rollback rules: which releases may be a target, which one "previous" means, and what
/// the new release carries (the target's slug and user config; add-ons stay as they are now).
/// For now a rollback is measured against the serving release (the newest succeeded); DESIGN.md
/// measures it against the current one, which a later change brings.
/// </summary>
public static class Rollback
{
    public const string Previous = "previous";

    /// <summary>Why <paramref name="release"/> cannot be rolled back to, or null when it can.</summary>
    public static string? IneligibleReason(Release release, int? servingVersion) => release switch
    {
        { Status: ReleaseStatus.Failed } => $"v{release.Version} failed; a failed release cannot be rolled back to.",
        { Status: ReleaseStatus.Pending } => $"v{release.Version} is still pending.",
        { SlugId: null } => $"v{release.Version} has no slug (no code had been deployed yet).",
        _ when release.Version == servingVersion => $"v{release.Version} is the current release.",
        _ => null,
    };

    /// <summary>Decides a rollback to <paramref name="reference"/> (id, N, vN, or <see cref="Previous"/>).</summary>
    public static async Task<ReleasePlan> PlanAsync(SlipwayDb db, Guid appId, string appKey, string reference, ReleaseState state, CancellationToken ct)
    {
        Release? target;
        if (reference == Previous)
        {
            // The newest succeeded release with code that is older than the serving one.
            target = await db.Releases.AsNoTracking()
                .Where(r => r.AppId == appId && r.Status == ReleaseStatus.Succeeded && r.SlugId != null && r.Version < (state.ServingVersion ?? 0))
                .OrderByDescending(r => r.Version)
                .FirstOrDefaultAsync(ct);
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

        if (IneligibleReason(target, state.ServingVersion) is { } reason)
        {
            return new ReleasePlan.Refuse(Refusal.Invalid($"Cannot roll back to v{target.Version}: {reason}"));
        }

        return new ReleasePlan.Create(new ReleaseDraft(target.SlugId, target.ConfigVars, $"Rollback to v{target.Version}", ReleaseTrigger.Rollback, target.Version));
    }
}
