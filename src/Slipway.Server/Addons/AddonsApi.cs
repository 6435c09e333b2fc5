using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Apps;
using Slipway.Server.Config;
using Slipway.Server.Data;
using Slipway.Server.Http;
using Slipway.Server.Releases;

namespace Slipway.Server.Addons;

/// <summary>
/// <c>/addon-services[/{svc}[/plans]]</c> (what can be attached) and <c>/apps/{app}/addons[/{id or name}]</c>
/// (attach, show, destroy). Create and destroy wait up to <see cref="AddonOptions.RequestWait"/>
/// for the broker, then answer 202 and finish in the background: poll the add-on until its
/// state is <c>provisioned</c> (or <c>failed</c>), or until it is gone (404) after a destroy.
/// </summary>
public static class AddonsApi
{
    private static readonly string[] Words =
    [
        "amber", "brave", "calm", "clear", "cosy", "crisp", "deep", "eager", "fair", "fresh", "gentle", "golden", "green", "happy",
        "keen", "kind", "lively", "lucky", "mellow", "misty", "noble", "plain", "quiet", "rapid", "shiny", "silent", "solid", "steady",
        "sunny", "swift", "tidy", "warm", "wise", "young",
    ];

    public static IEndpointRouteBuilder MapAddonsApi(this IEndpointRouteBuilder routes)
    {
        var services = routes.MapGroup("/addon-services");
        services.MapGet("/", ListServices);
        services.MapGet("/{service}", GetService);
        services.MapGet("/{service}/plans", ListPlans);

        var addons = routes.MapGroup("/apps/{app}/addons");
        addons.MapGet("/", List);
        addons.MapPost("/", Create);
        addons.MapGet("/{addon}", Get);
        addons.MapDelete("/{addon}", Destroy);
        return routes;
    }

    private static async Task<Ok<List<AddonServiceResponse>>> ListServices(BrokerRegistry registry, CancellationToken ct)
    {
        var services = await registry.ServicesAsync(ct);
        return TypedResults.Ok(services.Select(s => AddonMapping.ToResponse(s.Broker, s.Service)).OrderBy(s => s.Name, StringComparer.Ordinal).ToList());
    }

    private static async Task<Results<Ok<AddonServiceResponse>, ProblemHttpResult>> GetService(string service, BrokerRegistry registry, CancellationToken ct)
    {
        var lookup = await registry.FindServiceAsync(service, ct);
        return lookup.Service is null ? ApiProblem.Of(lookup.Status, lookup.ProblemId!, lookup.Problem!) : TypedResults.Ok(AddonMapping.ToResponse(lookup.Broker!, lookup.Service));
    }

    private static async Task<Results<Ok<List<AddonPlanResponse>>, ProblemHttpResult>> ListPlans(string service, BrokerRegistry registry, CancellationToken ct)
    {
        var lookup = await registry.FindServiceAsync(service, ct);
        if (lookup.Service is not { } found)
        {
            return ApiProblem.Of(lookup.Status, lookup.ProblemId!, lookup.Problem!);
        }

        var plans = found.Plans ?? [];
        return TypedResults.Ok(plans.Select((p, i) => AddonMapping.ToResponse(found, p, isDefault: i == 0)).ToList());
    }

    private static async Task<Results<Ok<List<AddonResponse>>, ProblemHttpResult>> List(string app, HttpContext http, Access access, SlipwayDb db, CancellationToken ct)
    {
        var found = await access.FindAppAsync(Caller.Of(http.User), app, ct);
        if (found is null)
        {
            return AppsApi.AppNotFound(app);
        }

        var addons = await db.Addons.AsNoTracking().Where(a => a.AppId == found.Id).OrderBy(a => a.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(addons.Select(a => AddonMapping.ToResponse(a, found)).ToList());
    }

    private static async Task<Results<Ok<AddonResponse>, ProblemHttpResult>> Get(string app, string addon, HttpContext http, Access access, SlipwayDb db, CancellationToken ct)
    {
        var found = await access.FindAppAsync(Caller.Of(http.User), app, ct);
        if (found is null)
        {
            return AppsApi.AppNotFound(app);
        }

        var row = await AddonQueries.ByReference(db, found.Id, addon).AsNoTracking().FirstOrDefaultAsync(ct);
        return row is null ? AddonNotFound(addon, found) : TypedResults.Ok(AddonMapping.ToResponse(row, found));
    }

    /// <summary>Attaches an add-on; the dashboard's attach form calls this too.</summary>
    internal static async Task<Results<Created<AddonResponse>, Accepted<AddonResponse>, ProblemHttpResult>> Create(
        string app,
        CreateAddonRequest request,
        HttpContext http,
        Access access,
        SlipwayDb db,
        BrokerRegistry registry,
        AddonJobs jobs,
        IOptions<AddonOptions> options,
        TimeProvider clock,
        CancellationToken ct)
    {
        var caller = Caller.Of(http.User);
        var found = await access.FindAppAsync(caller, app, ct);
        if (found is null)
        {
            return AppsApi.AppNotFound(app);
        }

        var wanted = request.Plan?.Trim();
        if (string.IsNullOrEmpty(wanted))
        {
            return ApiProblem.Invalid("'plan' is required: SERVICE:PLAN, or SERVICE for its default plan (aka addons:services and aka addons:plans SERVICE list them).");
        }

        var colon = wanted.IndexOf(':', StringComparison.Ordinal);
        var serviceName = colon < 0 ? wanted : wanted[..colon];
        var planName = colon < 0 ? null : wanted[(colon + 1)..];
        var lookup = await registry.FindServiceAsync(serviceName, ct);
        if (lookup.Service is not { } service)
        {
            return ApiProblem.Of(lookup.Status, lookup.ProblemId!, lookup.Problem!);
        }

        var plans = service.Plans ?? [];
        var plan = planName is null ? plans.FirstOrDefault() : plans.FirstOrDefault(p => p.Name == planName);
        if (plan is null)
        {
            return ApiProblem.Invalid($"The {service.Name} service has no plan '{planName}'; its plans are: {string.Join(", ", plans.Select(p => $"{service.Name}:{p.Name}"))}.");
        }

        var name = request.Name?.Trim().ToLowerInvariant();
        if (name is not null && BrokerNames.Problem(name) is { } nameProblem)
        {
            return ApiProblem.Invalid($"Add-on name {nameProblem}");
        }

        name ??= await NewNameAsync(db, found.Id, service.Name, ct);
        if (await db.Addons.AnyAsync(a => a.AppId == found.Id && a.Name == name, ct))
        {
            return ApiProblem.Conflict($"{found.Key} already has an add-on named {name}.");
        }

        // The catalog may say which vars the binding will give: a clash is then refused before anything is provisioned.
        var declared = service.DeclaredConfigVars;
        if (declared.Count > 0)
        {
            var userConfig = (await ReleaseQueries.BaseAsync(db, found.Id, ct))?.ConfigVars ?? [];
            if (AddonConfig.AttachClash(name, declared, userConfig, await AddonQueries.AttachedAsync(db, found.Id, ct), found.Key) is { } clash)
            {
                return ApiProblem.Conflict(clash);
            }
        }

        var parameters = request.Config is null ? null : JsonSerializer.Serialize(request.Config);
        var addon = Addon.Create(found.Id, name, lookup.Broker!.Name, new CatalogPlan(lookup.Broker, service, plan), parameters, caller.UserId, clock.GetUtcNow());
        db.Addons.Add(addon);
        if (!await db.TrySaveUniqueAsync(ct))
        {
            return ApiProblem.Conflict($"{found.Key} already has an add-on named {name}.");
        }

        var job = await jobs.EnqueueAsync(addon.Id, AddonJobKind.Provision, resumed: false, CancellationToken.None);
        var outcome = await job.WaitAsync(options.Value.RequestWait, ct);
        var location = $"/apps/{found.Key}/addons/{addon.Id}";
        if (outcome is null)
        {
            return TypedResults.Accepted(location, await CurrentAsync(db, addon.Id, found, ct));
        }

        if (!outcome.Succeeded)
        {
            return ApiProblem.Of(outcome.Status, outcome.ProblemId!, outcome.Message!);
        }

        http.Response.Headers[ConfigApi.ReleaseHeader] = $"v{outcome.ReleaseVersion}";
        return TypedResults.Created(location, await CurrentAsync(db, addon.Id, found, ct));
    }

    /// <summary>
    /// Detaches (a Detach release) and then unbinds and deprovisions. Answers the add-on as
    /// <c>deprovisioned</c> once the broker confirmed; a broker failure keeps it listed as
    /// <c>deprovision_failed</c>, and destroying it again retries.
    /// </summary>
    internal static async Task<Results<Ok<AddonResponse>, Accepted<AddonResponse>, ProblemHttpResult>> Destroy(
        string app,
        string addon,
        string? confirm,
        HttpContext http,
        Access access,
        SlipwayDb db,
        AddonLifecycle lifecycle,
        AddonJobs jobs,
        IOptions<AddonOptions> options,
        CancellationToken ct)
    {
        var caller = Caller.Of(http.User);
        var found = await access.FindAppAsync(caller, app, ct);
        if (found is null)
        {
            return AppsApi.AppNotFound(app);
        }

        if (confirm is not null && confirm != found.Key)
        {
            return ApiProblem.Invalid($"The confirmation '{confirm}' does not match the app {found.Key}.");
        }

        var row = await AddonQueries.ByReference(db, found.Id, addon).AsNoTracking().FirstOrDefaultAsync(ct);
        if (row is null)
        {
            return AddonNotFound(addon, found);
        }

        switch (row.State)
        {
            case AddonState.Provisioning:
                return ApiProblem.Conflict($"{row.Name} is still being provisioned; destroy it once it is provisioned (aka addons:info {row.Name} -a {found.Key}).");
            case AddonState.Failed:
                await lifecycle.ForgetFailedAsync(row.Id, ct);
                return TypedResults.Ok(AddonMapping.ToResponse(row, found, AddonMapping.Deprovisioned));
            case AddonState.Provisioned:
                var detached = await lifecycle.DetachAsync(found, caller, row.Id, ct);
                if (detached.Refusal is { } refusal)
                {
                    return ApiProblem.Of(refusal.Status, refusal.Id, refusal.Message);
                }

                http.Response.Headers[ConfigApi.ReleaseHeader] = $"v{detached.Release!.Version}";
                break;
        }

        var job = await jobs.EnqueueAsync(row.Id, AddonJobKind.Deprovision, resumed: false, CancellationToken.None);
        var outcome = await job.WaitAsync(options.Value.RequestWait, ct);
        if (outcome is null)
        {
            return TypedResults.Accepted($"/apps/{found.Key}/addons/{row.Id}", await CurrentAsync(db, row.Id, found, ct));
        }

        return outcome.Succeeded
            ? TypedResults.Ok(AddonMapping.ToResponse(row, found, AddonMapping.Deprovisioned))
            : ApiProblem.Of(outcome.Status, outcome.ProblemId!, outcome.Message!);
    }

    private static async Task<AddonResponse> CurrentAsync(SlipwayDb db, Guid id, App app, CancellationToken ct) =>
        AddonMapping.ToResponse(await db.Addons.AsNoTracking().SingleAsync(a => a.Id == id, ct), app);

    /// <summary>Heroku-style: <c>postgresql-swift-4821</c>, unique within the app.</summary>
    private static async Task<string> NewNameAsync(SlipwayDb db, Guid appId, string service, CancellationToken ct)
    {
        var stem = new string([.. service.ToLowerInvariant().Select(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) ? c : '-')]).Trim('-');
        if (stem.Length == 0 || !char.IsAsciiLetterLower(stem[0]))
        {
            stem = "addon-" + stem;
        }

        stem = stem[..Math.Min(stem.Length, 40)];
        while (true)
        {
            var name = $"{stem}-{Words[RandomNumberGenerator.GetInt32(Words.Length)]}-{RandomNumberGenerator.GetInt32(1000, 10000)}";
            if (!await db.Addons.AnyAsync(a => a.AppId == appId && a.Name == name, ct))
            {
                return name;
            }
        }
    }

    private static ProblemHttpResult AddonNotFound(string addon, App app) => ApiProblem.NotFound($"Add-on '{addon}' not found for {app.Key}.");
}
