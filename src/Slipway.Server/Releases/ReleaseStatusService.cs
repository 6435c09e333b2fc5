using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Slipway.Contracts;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Http;

namespace Slipway.Server.Releases;

/// <summary>A release with its statuses.</summary>
public sealed record ReleaseStatuses(Release Release, IReadOnlyList<StatusCheck> Checks)
{
    public StatusCheckState Combined => ReleaseStatusService.Combine(Checks.Select(c => c.State));
}

/// <summary>One status of a release, with the release.</summary>
public sealed record ReleaseStatusOf(Release Release, StatusCheck Check);

/// <summary>
/// Release statuses (Akkeris): the checks outside systems post on a release, one per context,
/// and the state they combine into. The one place they are read, checked and changed, so that
/// whatever is gated on them (promotions) reads them the same way as the API and the dashboard.
/// </summary>
public sealed partial class ReleaseStatusService(SlipwayDb db, TimeProvider clock)
{
    public const int MaxContextLength = 255;
    public const int MaxNameLength = 255;
    public const int MaxDescriptionLength = 1024;
    public const int MaxUrlLength = 2048;

    /// <summary>The most statuses one release may carry: a bound on what outside systems can store.</summary>
    public const int MaxPerRelease = 100;

    public const string StateRule = "state must be one of error, failure, pending, success.";

    /// <summary>
    /// The combined state of a release's statuses: error if any is, else failure if any is, else
    /// pending if any is, else success. A release without statuses is success: nothing objected.
    /// </summary>
    public static StatusCheckState Combine(IEnumerable<StatusCheckState> states) =>
        states.DefaultIfEmpty(StatusCheckState.Success).Max();

    public static string NameOf(StatusCheckState state) => state.ToString().ToLowerInvariant();

    /// <summary>The combined state of each of <paramref name="releaseIds"/>; a release without statuses is absent (success).</summary>
    public async Task<Dictionary<Guid, StatusCheckState>> CombinedAsync(IReadOnlyCollection<Guid> releaseIds, CancellationToken ct)
    {
        if (releaseIds.Count == 0)
        {
            return [];
        }

        var states = await db.ReleaseStatuses.AsNoTracking()
            .Where(c => releaseIds.Contains(c.ReleaseId))
            .Select(c => new { c.ReleaseId, c.State })
            .Distinct()
            .ToListAsync(ct);
        return states.GroupBy(s => s.ReleaseId).ToDictionary(g => g.Key, g => Combine(g.Select(s => s.State)));
    }

    /// <summary>The statuses of each of <paramref name="releaseIds"/>, oldest first (for the dashboard's release rows).</summary>
    public async Task<Dictionary<Guid, List<StatusCheck>>> OfReleasesAsync(IReadOnlyCollection<Guid> releaseIds, CancellationToken ct)
    {
        var checks = releaseIds.Count == 0
            ? []
            : await db.ReleaseStatuses.AsNoTracking().Where(c => releaseIds.Contains(c.ReleaseId)).OrderBy(c => c.CreatedAt).ToListAsync(ct);
        return checks.GroupBy(c => c.ReleaseId).ToDictionary(g => g.Key, g => g.ToList());
    }

    /// <summary>A release's statuses, oldest first.</summary>
    public async Task<Answer<ReleaseStatuses>> ListAsync(App app, string release, CancellationToken ct)
    {
        var found = await ReleaseAsync(app, release, ct);
        if (found.Refused)
        {
            return found.Refusal;
        }

        var checks = await db.ReleaseStatuses.AsNoTracking().Where(c => c.ReleaseId == found.Value.Id).OrderBy(c => c.CreatedAt).ToListAsync(ct);
        return new ReleaseStatuses(found.Value, checks);
    }

    public async Task<Answer<ReleaseStatusOf>> FindAsync(App app, string release, string status, CancellationToken ct)
    {
        var found = await ReleaseAsync(app, release, ct);
        if (found.Refused)
        {
            return found.Refusal;
        }

        var check = Guid.TryParse(status, out var id)
            ? await db.ReleaseStatuses.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id && c.ReleaseId == found.Value.Id, ct)
            : null;
        return check is null ? StatusNotFound(found.Value, status) : new ReleaseStatusOf(found.Value, check);
    }

    /// <summary>Posts a new status on a release; a context the release already has is a 409 (change it with PATCH).</summary>
    public async Task<Answer<ReleaseStatusOf>> CreateAsync(App app, string release, CreateReleaseStatusRequest request, CancellationToken ct)
    {
        var found = await ReleaseAsync(app, release, ct);
        if (found.Refused)
        {
            return found.Refusal;
        }

        if (request.State is null)
        {
            return Refusal.Invalid("state is required: " + StateRule, nameof(request.State));
        }

        if (request.Context is null)
        {
            return Refusal.Invalid($"context is required: {ContextRule}", nameof(request.Context));
        }

        var checkedRequest = Check(request.State, request.Context, new StatusCheckTexts(request.Name, request.Description, request.TargetUrl, request.ImageUrl));
        if (checkedRequest.Refused)
        {
            return checkedRequest.Refusal;
        }

        var target = found.Value;
        var checks = db.ReleaseStatuses;
        if (await checks.AnyAsync(c => c.ReleaseId == target.Id && c.Context == request.Context, ct))
        {
            return ContextTaken(target, request.Context);
        }

        if (await checks.CountAsync(c => c.ReleaseId == target.Id, ct) >= MaxPerRelease)
        {
            return Refusal.Invalid($"v{target.Version} already has {MaxPerRelease} statuses, the most a release may carry.");
        }

        var check = StatusCheck.Create(target.Id, request.Context, checkedRequest.Value.State!.Value, checkedRequest.Value.Texts, clock.GetUtcNow());
        checks.Add(check);
        return await db.TrySaveUniqueAsync(ct) ? new ReleaseStatusOf(target, check) : ContextTaken(target, request.Context);
    }

    /// <summary>Changes a status's state or texts; the context cannot change.</summary>
    public async Task<Answer<ReleaseStatusOf>> UpdateAsync(App app, string release, string status, UpdateReleaseStatusRequest request, CancellationToken ct)
    {
        var found = await FindAsync(app, release, status, ct);
        if (found.Refused)
        {
            return found.Refusal;
        }

        var (target, existing) = found.Value;
        if (request.Context is not null && request.Context != existing.Context)
        {
            return Refusal.Invalid($"The context of a status cannot change (it is '{existing.Context}'); post a new status instead.", nameof(request.Context));
        }

        var checkedRequest = Check(request.State, existing.Context, new StatusCheckTexts(request.Name, request.Description, request.TargetUrl, request.ImageUrl));
        if (checkedRequest.Refused)
        {
            return checkedRequest.Refusal;
        }

        var check = await db.ReleaseStatuses.SingleAsync(c => c.Id == existing.Id, ct);
        check.Update(checkedRequest.Value.State, checkedRequest.Value.Texts, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return new ReleaseStatusOf(target, check);
    }

    public const string ContextRule = "letters, digits and / - + . only (e.g. ci/circleci), at most 255 characters.";

    /// <summary>Whether <paramref name="context"/> may name a status (and so a required check).</summary>
    public static bool IsContext(string context) => context.Length <= MaxContextLength && ContextPattern().IsMatch(context);

    private static Answer<CheckedStatus> Check(string? state, string context, StatusCheckTexts texts)
    {
        StatusCheckState? parsed = null;
        if (state is not null)
        {
            if (!StatePattern().IsMatch(state))
            {
                return Refusal.Invalid($"'{state}' is not a state: {StateRule}", "State");
            }

            parsed = Enum.Parse<StatusCheckState>(state, ignoreCase: true);
        }

        if (!IsContext(context))
        {
            return Refusal.Invalid($"context '{context}' is not valid: {ContextRule}", "Context");
        }

        if (texts.Name?.Length > MaxNameLength)
        {
            return Refusal.Invalid($"name is longer than {MaxNameLength} characters.", "Name");
        }

        if (texts.Description?.Length > MaxDescriptionLength)
        {
            return Refusal.Invalid($"description is longer than {MaxDescriptionLength} characters.", "Description");
        }

        foreach (var (field, url) in new[] { ("target_url", texts.TargetUrl), ("image_url", texts.ImageUrl) })
        {
            if (url is { Length: > 0 } && (url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            {
                return Refusal.Invalid($"{field} must be an http or https URL of at most {MaxUrlLength} characters.", field == "target_url" ? "TargetUrl" : "ImageUrl");
            }
        }

        return new CheckedStatus(parsed, texts);
    }

    private async Task<Answer<Release>> ReleaseAsync(App app, string reference, CancellationToken ct)
    {
        var release = ReleaseQueries.ByReference(db, app.Id, reference) is { } query ? await query.AsNoTracking().FirstOrDefaultAsync(ct) : null;
        return release is null ? Refusal.NotFound($"Release '{reference}' not found for {app.Key}.") : release;
    }

    private static Refusal StatusNotFound(Release release, string status) => Refusal.NotFound($"Status '{status}' not found on v{release.Version}.");

    private static Refusal ContextTaken(Release release, string context) =>
        Refusal.Conflict($"v{release.Version} already has a status for '{context}': change it with PATCH .../statuses/{{id}}.", "Context");

    /// <summary>A request's fields once checked; <see cref="State"/> is null when a PATCH leaves it as it is.</summary>
    private sealed record CheckedStatus(StatusCheckState? State, StatusCheckTexts Texts);

    [GeneratedRegex("^(error|failure|pending|success)$")]
    private static partial Regex StatePattern();

    [GeneratedRegex(@"^[A-Za-z0-9/\-+.]+$")]
    private static partial Regex ContextPattern();
}
