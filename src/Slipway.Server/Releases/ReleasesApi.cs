using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Http;

namespace Slipway.Server.Releases;

/// <summary><c>/apps/{app}/releases</c>: the history (paged by version), one release, deploy a slug, roll back.</summary>
public static class ReleasesApi
{
    public static IEndpointRouteBuilder MapReleasesApi(this IEndpointRouteBuilder routes)
    {
        var releases = routes.MapGroup("/apps/{app}/releases");
        releases.MapGet("/", List);
        releases.MapGet("/{release}", Get);
        releases.MapGet("/{release}/config-vars", GetConfig);
        releases.MapPost("/", Create);
        return routes;
    }

    private static async Task<Results<Ok<List<ReleaseResponse>>, JsonHttpResult<List<ReleaseResponse>>, ProblemHttpResult>> List(
        string app, [FromHeader(Name = "Range")] string? range, HttpContext http, Access access, SlipwayDb db, CancellationToken ct)
    {
        var found = await access.FindAppAsync(Caller.Of(http.User), app, ct);
        if (found is null)
        {
            return AppsApi.AppNotFound(app);
        }

        if (!VersionRange.TryParse(range, out var page, out var error))
        {
            return ApiProblem.BadRequest(error!);
        }

        var rows = await ReleaseQueries.Page(db, found.Id, page).ToListAsync(ct);
        var current = await ReleaseQueries.CurrentVersionAsync(db, found.Id, ct);
        var targets = await RollbackTargetsAsync(db, found.Id, rows, ct);
        var items = rows.Take(page.Max).Select(r => ReleaseMapping.ToResponse(r, found, current, TargetOf(r, targets))).ToList();

        http.Response.Headers.AcceptRanges = "version";
        if (items.Count > 0)
        {
            http.Response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"version {items[0].Version}..{items[^1].Version}");
        }

        if (rows.Count <= page.Max)
        {
            return TypedResults.Ok(items);
        }

        http.Response.Headers["Next-Range"] = page.NextAfter(items[^1].Version);
        return TypedResults.Json(items, statusCode: StatusCodes.Status206PartialContent);
    }

    private static async Task<Results<Ok<ReleaseResponse>, ProblemHttpResult>> Get(string app, string release, HttpContext http, Access access, SlipwayDb db, CancellationToken ct)
    {
        var found = await access.FindAppAsync(Caller.Of(http.User), app, ct);
        if (found is null)
        {
            return AppsApi.AppNotFound(app);
        }

        var row = await FindAsync(db, found, release, ct);
        if (row is null)
        {
            return ReleaseNotFound(release, found);
        }

        var targets = await RollbackTargetsAsync(db, found.Id, [row], ct);
        return TypedResults.Ok(ReleaseMapping.ToResponse(row, found, await ReleaseQueries.CurrentVersionAsync(db, found.Id, ct), TargetOf(row, targets)));
    }

    /// <summary>The one place a release's config values (not just names) can be read: user and add-on vars together.</summary>
    private static async Task<Results<Ok<Dictionary<string, string>>, ProblemHttpResult>> GetConfig(string app, string release, HttpContext http, Access access, SlipwayDb db, CancellationToken ct)
    {
        var found = await access.FindAppAsync(Caller.Of(http.User), app, ct);
        if (found is null)
        {
            return AppsApi.AppNotFound(app);
        }

        var row = await FindAsync(db, found, release, ct);
        return row is null ? ReleaseNotFound(release, found) : TypedResults.Ok(ReleaseEnvironment.Of(row));
    }

    private static async Task<Results<Created<ReleaseResponse>, ProblemHttpResult>> Create(
        string app,
        CreateReleaseRequest request,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        HttpContext http,
        Access access,
        ReleaseService releases,
        SlipwayDb db,
        CancellationToken ct)
    {
        var caller = Caller.Of(http.User);
        var found = await access.FindAppAsync(caller, app, ct);
        if (found is null)
        {
            return AppsApi.AppNotFound(app);
        }

        if (idempotencyKey is { Length: 0 or > 255 })
        {
            return ApiProblem.BadRequest("Idempotency-Key must be 1 to 255 characters.");
        }

        var target = ReferenceOf(request.Release);
        if ((target is null) == (request.Slug is null))
        {
            return ApiProblem.Invalid("Give exactly one of 'slug' (deploy a slug) or 'release' (roll back to it: an id, N or \"vN\").");
        }

        Func<ReleaseState, CancellationToken, Task<ReleasePlan>> plan = target is not null
            ? (state, token) => Rollback.PlanAsync(db, found.Id, found.Key, target, state, token)
            : (state, token) => DeploySlugAsync(db, found, request.Slug!, state, token);

        var outcome = await releases.AppendAsync(found, caller, plan, new ReleaseConditions(idempotencyKey, request.ExpectedCurrentVersion), ct);
        if (outcome.Refusal is { } refusal)
        {
            return ApiProblem.Of(refusal.Status, refusal.Id, refusal.Message);
        }

        var made = await db.Releases.AsNoTracking().Include(r => r.Slug).Include(r => r.Build).Include(r => r.User).SingleAsync(r => r.Id == outcome.Release!.Id, ct);
        if (outcome.Replayed)
        {
            http.Response.Headers["Idempotent-Replayed"] = "true";
        }

        var targets = await RollbackTargetsAsync(db, found.Id, [made], ct);
        var response = ReleaseMapping.ToResponse(made, found, await ReleaseQueries.CurrentVersionAsync(db, found.Id, ct), TargetOf(made, targets));
        return TypedResults.Created($"/apps/{found.Key}/releases/{made.Version}", response);
    }

    private static async Task<ReleasePlan> DeploySlugAsync(SlipwayDb db, App app, string slugId, ReleaseState state, CancellationToken ct)
    {
        var slug = Guid.TryParse(slugId, out var id) ? await db.Slugs.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id && s.AppId == app.Id, ct) : null;
        if (slug is null)
        {
            return new ReleasePlan.Refuse(404, "not_found", $"Slug '{slugId}' not found for {app.Key}.");
        }

        if (!slug.Uploaded)
        {
            return new ReleasePlan.Refuse(422, "invalid_params", $"Slug {slug.Id} has no content yet: PUT the tar.gz to its blob URL first.");
        }

        var config = state.Base?.ConfigVars ?? [];
        return new ReleasePlan.Create(new ReleaseDraft(slug.Id, config, $"Deploy {slug.Id.ToString("N")[..8]}", ReleaseTrigger.Deploy));
    }

    private static Task<Release?> FindAsync(SlipwayDb db, App app, string reference, CancellationToken ct) =>
        ReleaseQueries.ByReference(db, app.Id, reference) is { } query
            ? query.AsNoTracking().Include(r => r.Slug).Include(r => r.Build).Include(r => r.User).FirstOrDefaultAsync(ct)
            : Task.FromResult<Release?>(null);

    /// <summary>The releases that the rollbacks among <paramref name="releases"/> rolled back to, by version, in one query.</summary>
    private static async Task<Dictionary<int, Release>> RollbackTargetsAsync(SlipwayDb db, Guid appId, IEnumerable<Release> releases, CancellationToken ct)
    {
        var versions = releases.Where(r => r.RollbackOf is not null).Select(r => r.RollbackOf!.Value).Distinct().ToList();
        return versions.Count == 0
            ? []
            : await db.Releases.AsNoTracking().Where(r => r.AppId == appId && versions.Contains(r.Version)).ToDictionaryAsync(r => r.Version, ct);
    }

    private static Release? TargetOf(Release release, Dictionary<int, Release> targets) =>
        release.RollbackOf is { } version ? targets.GetValueOrDefault(version) : null;

    private static ProblemHttpResult ReleaseNotFound(string reference, App app) => ApiProblem.NotFound($"Release '{reference}' not found for {app.Key}.");

    /// <summary>The rollback target as text, whether the client sent a number or a string.</summary>
    private static string? ReferenceOf(JsonElement? element) => element switch
    {
        { ValueKind: JsonValueKind.Number } e => e.GetRawText(),
        { ValueKind: JsonValueKind.String } e => e.GetString(),
        _ => null,
    };
}
