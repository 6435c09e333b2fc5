using Microsoft.EntityFrameworkCore;
using Slipway.Server.Data;

namespace Slipway.Server.Releases;

/// <summary>
/// The derived facts about an app's releases, each computed here and nowhere else. Two words
/// (DESIGN.md, "Words"): the <em>serving</em> release is the newest that succeeded, the one the
/// router sends traffic to; the <em>current</em> release is the newest that has not failed
/// (pending or succeeded): the one a change builds on, the one a rollback is measured against, and
/// the one <c>current: true</c> marks in the API. They differ while a release is pending. The
/// <em>previous</em> release, where a rollback without a version goes, is the newest succeeded
/// release with code older than the current one.
/// </summary>
public static class ReleaseQueries
{
    /// <summary>The version of the serving release (the newest succeeded); null before the first.</summary>
    public static Task<int?> ServingVersionAsync(SlipwayDb db, Guid appId, CancellationToken ct) =>
        ServingOf(db, appId)
            .Select(r => (int?)r.Version)
            .FirstOrDefaultAsync(ct);


    /// <summary>The serving release of each app: succeeded, with no newer succeeded release of the same app.</summary>
    public static IQueryable<Release> Serving(SlipwayDb db) =>
        db.Releases.Where(r => r.Status == ReleaseStatus.Succeeded
            && !db.Releases.Any(o => o.AppId == r.AppId && o.Status == ReleaseStatus.Succeeded && o.Version > r.Version));

    /// <summary>
    /// The current release: the newest that did not fail, what a change builds on. A pending
    /// release counts, so two quick changes stack instead of the second silently dropping the first.
    /// </summary>
    public static Task<Release?> CurrentAsync(SlipwayDb db, Guid appId, CancellationToken ct) =>
        CurrentOf(db, appId).FirstOrDefaultAsync(ct);

    /// <summary>The version of the current release (the newest that did not fail); null while there is none.</summary>
    public static Task<int?> CurrentVersionAsync(SlipwayDb db, Guid appId, CancellationToken ct) =>
        CurrentOf(db, appId).Select(r => (int?)r.Version).FirstOrDefaultAsync(ct);

    /// <summary>The current release, untracked, with its slug (what a rollback is measured against); null while there is none.</summary>
    public static Task<Release?> CurrentWithSlugAsync(SlipwayDb db, Guid appId, CancellationToken ct) =>
        CurrentOf(db, appId).AsNoTracking().Include(r => r.Slug).FirstOrDefaultAsync(ct);

    /// <summary>
    /// The previous release, untracked: the newest succeeded release with a slug older than the
    /// current one (<paramref name="currentVersion"/>); null when there is none. Repeated rollbacks
    /// to it toggle between the last two releases with code.
    /// </summary>
    public static Task<Release?> PreviousAsync(SlipwayDb db, Guid appId, int? currentVersion, CancellationToken ct) =>
        db.Releases.AsNoTracking()
            .Where(r => r.AppId == appId && r.Status == ReleaseStatus.Succeeded && r.SlugId != null && r.Version < (currentVersion ?? 0))
            .OrderByDescending(r => r.Version)
            .FirstOrDefaultAsync(ct);

    /// <summary>
    /// The page a client gets when it sends no <c>Range</c>: up to <see cref="VersionRange.DefaultMax"/>
    /// releases ending with the current one (or the newest, while none is current), so that a client
    /// that takes the last element as the current release (Akkeris's CLI) gets it right however long the
    /// history is. Releases newer than the current one all failed; a <c>Range</c> lists them.
    /// </summary>
    public static async Task<VersionRange> UnrangedPageAsync(SlipwayDb db, Guid appId, CancellationToken ct) =>
        new(null, false, await CurrentVersionAsync(db, appId, ct), VersionRange.DefaultMax, Descending: true);

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

    private static IQueryable<Release> CurrentOf(SlipwayDb db, Guid appId) =>
        db.Releases.Where(r => r.AppId == appId && r.Status != ReleaseStatus.Failed).OrderByDescending(r => r.Version);

    private static IQueryable<Release> ServingOf(SlipwayDb db, Guid appId) =>
        db.Releases.Where(r => r.AppId == appId && r.Status == ReleaseStatus.Succeeded).OrderByDescending(r => r.Version);
}
