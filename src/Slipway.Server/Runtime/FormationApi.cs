using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Http;
using Slipway.Server.Releases;

namespace Slipway.Server.Runtime;

/// <summary>
/// <c>/apps/{app}/formation</c>: how many processes of each type run, the web health check and the
/// boot timeout. A change is no release: it is saved, then the runtime converges on it.
/// </summary>
public static class FormationApi
{
    public static IEndpointRouteBuilder MapFormationApi(this IEndpointRouteBuilder routes)
    {
        var formation = routes.MapGroup("/apps/{app}/formation");
        formation.MapGet("/", List);
        formation.MapPatch("/", Patch);
        formation.MapPatch("/{type}", PatchType);
        return routes;
    }

    private static async Task<Results<Ok<List<FormationResponse>>, ProblemHttpResult>> List(
        string app, HttpContext http, Access access, SlipwayDb db, IOptions<RuntimeOptions> options, CancellationToken ct)
    {
        var found = await access.FindAppAsync(Caller.Of(http.User), app, ct);
        if (found is null)
        {
            return AppsApi.AppNotFound(app);
        }

        var processTypes = await ProcessTypesAsync(db, found, ct);
        var settings = await db.RuntimeSettings.AsNoTracking().FirstOrDefaultAsync(s => s.AppId == found.Id, ct);
        return TypedResults.Ok(ToResponse(found, processTypes, settings, options.Value));
    }

    private static Task<Results<Ok<List<FormationResponse>>, ProblemHttpResult>> PatchType(
        string app, string type, FormationUpdate update, HttpContext http, Access access, SlipwayDb db, Deployer deployer, TimeProvider clock, IOptions<RuntimeOptions> options, CancellationToken ct) =>
        Patch(app, new FormationPatchRequest([update with { Type = type }], null), http, access, db, deployer, clock, options, ct);

    /// <summary>Changes the formation; the dashboard's scale form calls this too.</summary>
    internal static async Task<Results<Ok<List<FormationResponse>>, ProblemHttpResult>> Patch(
        string app, FormationPatchRequest request, HttpContext http, Access access, SlipwayDb db, Deployer deployer, TimeProvider clock, IOptions<RuntimeOptions> options, CancellationToken ct)
    {
        var found = await access.FindAppAsync(Caller.Of(http.User), app, ct);
        if (found is null)
        {
            return AppsApi.AppNotFound(app);
        }

        var updates = request.Updates ?? [];
        if (updates.Count == 0 && request.BootTimeout is null)
        {
            return ApiProblem.Invalid("Nothing to change: give 'updates' ([{\"type\": \"web\", \"quantity\": 2}]) and/or 'boot_timeout'.");
        }

        var processTypes = await ProcessTypesAsync(db, found, ct);
        if (Problem(found, updates, request.BootTimeout, processTypes, options.Value) is { } problem)
        {
            return ApiProblem.Invalid(problem);
        }

        var now = clock.GetUtcNow();
        var settings = await db.RuntimeSettings.FirstOrDefaultAsync(s => s.AppId == found.Id, ct);
        if (settings is null)
        {
            settings = RuntimeSettings.Create(found.Id, now);
            db.RuntimeSettings.Add(settings);
        }

        foreach (var update in updates)
        {
            if (update.Quantity is { } quantity)
            {
                settings.Scale(update.Type!, quantity, now);
            }

            if (update.Healthcheck is { } path)
            {
                settings.SetHealthCheck(path, now);
            }
        }

        if (request.BootTimeout is { } seconds)
        {
            settings.SetBootTimeout(seconds, now);
        }

        if (!await db.TrySaveUniqueAsync(ct))
        {
            return ApiProblem.Conflict($"The formation of {found.Key} was changed at the same moment; try again.");
        }

        await deployer.EnqueueAsync(new RuntimeJob.Converge(found.Id), CancellationToken.None);
        return TypedResults.Ok(ToResponse(found, processTypes, settings, options.Value));
    }

    private static string? Problem(App app, List<FormationUpdate> updates, int? bootTimeout, IReadOnlyDictionary<string, string> processTypes, RuntimeOptions options)
    {
        if (bootTimeout is < 1 or > 3600)
        {
            return "boot_timeout must be between 1 and 3600 seconds.";
        }

        if (updates.Count > 0 && processTypes.Count == 0)
        {
            return $"{app.Key} has no code deployed yet: there are no process types to scale.";
        }

        foreach (var update in updates)
        {
            if (string.IsNullOrEmpty(update.Type))
            {
                return "Every update needs a 'type' (a process type of the app's slug, e.g. web).";
            }

            if (update.Type == ReleaseSpec.ReleasePhaseType)
            {
                return "The release process type runs once per release; it cannot be scaled.";
            }

            if (!processTypes.ContainsKey(update.Type))
            {
                var known = string.Join(", ", processTypes.Keys.Where(t => t != ReleaseSpec.ReleasePhaseType).Order(StringComparer.Ordinal));
                return $"{app.Key} has no process type '{update.Type}' (it has: {(known.Length > 0 ? known : "none")}).";
            }

            if (update.Quantity is { } quantity && (quantity < 0 || quantity > options.MaxQuantity))
            {
                return $"The quantity of {update.Type} must be between 0 and {options.MaxQuantity}.";
            }

            if (update.Healthcheck is { } path)
            {
                if (update.Type != ReleaseSpec.WebType)
                {
                    return "Only web processes have a health check.";
                }

                if (path.Length > 0 && (!path.StartsWith('/') || path.Length > RuntimeSettings.MaxHealthCheckPathLength || path.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
                {
                    return $"The health check must be a path starting with '/' of at most {RuntimeSettings.MaxHealthCheckPathLength} characters, without spaces (\"\" removes it).";
                }
            }

            if (update.Quantity is null && update.Healthcheck is null)
            {
                return $"The update of {update.Type} changes nothing: give 'quantity' and/or 'healthcheck'.";
            }
        }

        return null;
    }

    /// <summary>The process types of the slug the app runs or is about to run (the base release's).</summary>
    internal static async Task<IReadOnlyDictionary<string, string>> ProcessTypesAsync(SlipwayDb db, App app, CancellationToken ct)
    {
        var baseRelease = await ReleaseQueries.BaseAsync(db, app.Id, ct);
        if (baseRelease?.SlugId is not { } slugId)
        {
            return new Dictionary<string, string>();
        }

        var slug = await db.Slugs.AsNoTracking().FirstOrDefaultAsync(s => s.Id == slugId, ct);
        return slug?.ProcessTypes ?? [];
    }

    private static List<FormationResponse> ToResponse(App app, IReadOnlyDictionary<string, string> processTypes, RuntimeSettings? settings, RuntimeOptions options)
    {
        var quantities = RuntimeSettings.FormationOf(settings, processTypes);
        var bootTimeout = settings?.BootTimeoutSeconds ?? options.BootTimeoutSeconds;
        return quantities
            .OrderBy(q => q.Key == ReleaseSpec.WebType ? 0 : 1)
            .ThenBy(q => q.Key, StringComparer.Ordinal)
            .Select(q => new FormationResponse(
                q.Key,
                q.Value,
                processTypes[q.Key],
                q.Key == ReleaseSpec.WebType ? settings?.HealthCheckPath : null,
                bootTimeout,
                new NamedRef(app.Id, app.Key),
                settings?.UpdatedAt))
            .ToList();
    }
}
