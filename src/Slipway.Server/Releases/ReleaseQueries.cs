using Microsoft.EntityFrameworkCore;
using Slipway.Server.Data;

namespace Slipway.Server.Releases;

/// <summary>
/// The derived facts about an app's releases, each computed here and nowhere else. Two words
/// (DESIGN.md, "Words"): the <em>serving</em> release is the newest that succeeded, the one the
/// router sends traffic to; the <em>current</em> release is the newest that has not failed
/// (pending or succeeded), the one a change builds on. They differ while a release is pending.
/// </summary>
public static class ReleaseQueries
{
    /// <summary>The version of the serving release (the newest succeeded); null before the first.</summary>
    public static Task<int?> ServingVersionAsync(SlipwayDb db, Guid appId, CancellationToken ct) =>
        ServingOf(db, appId)
            .Select(r => (int?)r.Version)
            .FirstOrDefaultAsync(ct);

    /// <summary>The serving release (the newest succeeded), untracked, with its slug; null before the first.</summary>
    public static Task<Release?> ServingAsync(SlipwayDb db, Guid appId, CancellationToken ct) =>
        ServingOf(db, appId).AsNoTracking().Include(r => r.Slug).FirstOrDefaultAsync(ct);

    /// <summary>The serving release of each app: succeeded, with no newer succeeded release of the same app.</summary>
    public static IQueryable<Release> Serving(SlipwayDb db) =>
        db.Releases.Where(r => r.Status == ReleaseStatus.Succeeded
            && !db.Releases.Any(o => o.AppId == r.AppId && o.Status == ReleaseStatus.Succeeded && o.Version > r.Version));

    /// <summary>
    /// The current release: the newest that did not fail, what a change builds on. A pending
    /// release counts, so two quick changes stack instead of the second silently dropping the first.
    /// </summary>
    public static Task<Release?> CurrentAsync(SlipwayDb db, Guid appId, CancellationToken ct) =>
        db.Releases
            .Where(r => r.AppId == appId && r.Status != ReleaseStatus.Failed)
            .OrderByDescending(r => r.Version)
            .FirstOrDefaultAsync(ct);

    /// <summary>
    /// One page of an app's history in the range's order, with slug, build and user loaded. It holds
    /// up to <c>Max + 1</c> rows: the extra one only tells that another page follows.
    /// </summary>
    public static IQueryable<Release> Page(SlipwayDb db, Guid appId, VersionRange page)
    {
        var query = WithDetails(db).Where(r => r.AppId == appId);
        if (page.Low is { } low)
        {
            query = query.Where(r => r.Version >= low);
        }

        if (page.Last is { } last)
        {
            query = query.Where(r => r.Version <= last);
        }

        query = page.Descending ? query.OrderByDescending(r => r.Version) : query.OrderBy(r => r.Version);
        return query.Take(page.Max + 1);
    }

    /// <summary>Releases, untracked, with what the API shows of them loaded (slug, build, user).</summary>
    public static IQueryable<Release> WithDetails(SlipwayDb db) =>
        db.Releases.AsNoTracking().Include(r => r.Slug).Include(r => r.Build).Include(r => r.User);

    /// <summary>What a change sees under the app's lock; <paramref name="latestVersion"/> is the newest version handed out.</summary>
    public static async Task<ReleaseState> StateAsync(SlipwayDb db, Guid appId, int latestVersion, CancellationToken ct) =>
        new(await CurrentAsync(db, appId, ct), await ServingVersionAsync(db, appId, ct), latestVersion);

    /// <summary>
    /// Finds a release by id, version number or <c>vN</c>. Null when the reference names no
    /// release of this app (including a malformed reference).
    /// </summary>
    public static IQueryable<Release>? ByReference(SlipwayDb db, Guid appId, string reference)
    {
        if (Guid.TryParse(reference, out var id))
        {
            return db.Releases.Where(r => r.AppId == appId && r.Id == id);
        }

        var digits = reference.StartsWith('v') || reference.StartsWith('V') ? reference[1..] : reference;
        return int.TryParse(digits, System.Globalization.NumberStyles.None, null, out var version)
            ? db.Releases.Where(r => r.AppId == appId && r.Version == version)
            : null;
    }

    private static IQueryable<Release> ServingOf(SlipwayDb db, Guid appId) =>
        db.Releases.Where(r => r.AppId == appId && r.Status == ReleaseStatus.Succeeded).OrderByDescending(r => r.Version);
}
