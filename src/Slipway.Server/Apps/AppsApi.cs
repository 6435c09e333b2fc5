using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Data;
using Slipway.Server.Http;
using Slipway.Server.Releases;
using Slipway.Server.Runtime;

namespace Slipway.Server.Apps;

/// <summary><c>/apps</c>: create, list, show and destroy (with the key repeated as confirmation).</summary>
public static class AppsApi
{
    public static IEndpointRouteBuilder MapAppsApi(this IEndpointRouteBuilder routes)
    {
        var apps = routes.MapGroup("/apps");
        apps.MapGet("/", List);
        apps.MapPost("/", Create);
        apps.MapGet("/{app}", Get);
        apps.MapDelete("/{app}", Destroy);
        return routes;
    }

    private static async Task<Ok<List<AppResponse>>> List(HttpContext http, Access access, SlipwayDb db, IAppRuntime runtime, CancellationToken ct)
    {
        var apps = await access.Apps(Caller.Of(http.User)).AsNoTracking().OrderBy(a => a.Key).ToListAsync(ct);
        var ids = apps.Select(a => a.Id).ToList();
        var current = await db.Releases.AsNoTracking()
            .Where(r => ids.Contains(r.AppId) && r.Status == ReleaseStatus.Succeeded)
            .GroupBy(r => r.AppId)
            .Select(g => new { AppId = g.Key, Version = g.Max(r => r.Version) })
            .ToDictionaryAsync(x => x.AppId, x => x.Version, ct);
        return TypedResults.Ok(apps.Select(a => ToResponse(a, current.TryGetValue(a.Id, out var v) ? v : null, runtime)).ToList());
    }

    private static async Task<Results<Created<AppResponse>, ProblemHttpResult>> Create(CreateAppRequest request, HttpContext http, Access access, SlipwayDb db, TimeProvider clock, IAppRuntime runtime, CancellationToken ct)
    {
        var (app, refusal) = await AppCreation.CreateAsync(request, Caller.Of(http.User), access, db, clock, ct);
        return refusal is not null
            ? ApiProblem.Of(refusal)
            : TypedResults.Created($"/apps/{app!.Key}", ToResponse(app, null, runtime));
    }

    private static async Task<Results<Ok<AppResponse>, ProblemHttpResult>> Get(string app, HttpContext http, Access access, SlipwayDb db, IAppRuntime runtime, CancellationToken ct)
    {
        var found = await access.FindAppAsync(Caller.Of(http.User), app, ct);
        if (found is null)
        {
            return AppNotFound(app);
        }

        var current = await ReleaseQueries.CurrentVersionAsync(db, found.Id, ct);
        return TypedResults.Ok(ToResponse(found, current, runtime));
    }

    /// <summary>Destroys the app with its releases and slug records, and stops its processes; <c>?confirm=</c> must repeat its key.</summary>
    private static async Task<Results<Ok<AppResponse>, ProblemHttpResult>> Destroy(string app, string? confirm, HttpContext http, Access access, SlipwayDb db, Deployer deployer, CancellationToken ct)
    {
        var found = await access.FindAppAsync(Caller.Of(http.User), app, ct);
        if (found is null)
        {
            return AppNotFound(app);
        }

        if (confirm != found.Key)
        {
            return ApiProblem.Invalid($"Destroying {found.Key} needs confirmation: repeat its key ('?confirm={found.Key}', or 'aka apps:destroy -a {found.Key} --confirm {found.Key}').");
        }

        // Add-ons hold things at brokers (databases, folders) that only destroying them releases.
        if (await db.Addons.Where(a => a.AppId == found.Id).Select(a => a.Name).ToListAsync(ct) is { Count: > 0 } addons)
        {
            return ApiProblem.Conflict($"{found.Key} still has add-ons ({string.Join(", ", addons)}); destroy them first (aka addons:destroy NAME -a {found.Key}).");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.IdempotencyRecords.Where(r => r.AppId == found.Id).ExecuteDeleteAsync(ct);
        await db.Releases.Where(r => r.AppId == found.Id).ExecuteDeleteAsync(ct);
        await db.Slugs.Where(s => s.AppId == found.Id).ExecuteDeleteAsync(ct);
        await db.Apps.Where(a => a.Id == found.Id).ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
        await deployer.StopAppAsync(found.Id, ct);
        return TypedResults.Ok(ToResponse(found, null));
    }

    public static ProblemHttpResult AppNotFound(string app) => ApiProblem.NotFound($"App '{app}' not found.");

    internal static AppResponse ToResponse(App app, int? currentVersion, IAppRuntime? runtime = null) => new(
        app.Id,
        app.Key,
        app.Name,
        new NamedRef(app.Space.Id, app.Space.Name),
        WebUrl: runtime?.WebUrlOf(app.Key),
        currentVersion,
        app.CreatedAt,
        app.UpdatedAt);
}
