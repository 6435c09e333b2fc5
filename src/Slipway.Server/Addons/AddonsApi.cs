using Microsoft.AspNetCore.Http.HttpResults;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Config;
using Slipway.Server.Http;

namespace Slipway.Server.Addons;

/// <summary>
/// <c>/addon-services[/{svc}[/plans[/{plan}]]]</c> (what can be attached), <c>/apps/{app}/addons[/{id or name}]</c>
/// (attach, show, destroy; <see cref="AddonService"/>), <c>/addons</c> (every app's the caller sees) and
/// Heroku's attachments (<c>/addon-attachments</c>, <c>/apps/{app}/addon-attachments[/{id or name}]</c>:
/// each provisioned add-on is attached to its own app). Create and destroy wait up to
/// <see cref="AddonOptions.RequestWait"/> for the broker, then answer 202 and finish in the
/// background: poll the add-on until its state is <c>provisioned</c> (or <c>failed</c>), or until
/// it is gone (404) after a destroy.
/// </summary>
public static class AddonsApi
{
    public static IEndpointRouteBuilder MapAddonsApi(this IEndpointRouteBuilder routes, IEndpointRouteBuilder app)
    {
        var services = routes.MapGroup("/addon-services");
        services.MapGet("/", ListServices);
        services.MapGet("/{service}", GetService);
        services.MapGet("/{service}/plans", ListPlans);
        services.MapGet("/{service}/plans/{plan}", GetPlan);

        routes.MapGet("/addons", ListAll);
        routes.MapGet("/addon-attachments", ListAllAttachments);

        var addons = app.MapGroup("/addons");
        addons.MapGet("/", List);
        addons.MapPost("/", Create);
        addons.MapGet("/{addon}", Get);
        addons.MapDelete("/{addon}", Destroy);

        var attachments = app.MapGroup("/addon-attachments");
        attachments.MapGet("/", ListAttachments);
        attachments.MapGet("/{attachment}", GetAttachment);
        return routes;
    }

    private static async Task<Ok<List<AddonServiceResponse>>> ListServices(BrokerRegistry registry, CancellationToken ct)
    {
        var services = await registry.ServicesAsync(ct);
        return TypedResults.Ok(services.Select(s => AddonMapping.ToResponse(s.Broker, s.Service)).OrderBy(s => s.Name, StringComparer.Ordinal).ToList());
    }

    private static async Task<Results<Ok<AddonServiceResponse>, ProblemHttpResult>> GetService(string service, BrokerRegistry registry, CancellationToken ct)
    {
        var found = await registry.FindServiceAsync(service, ct);
        return found.Refused ? ApiProblem.Of(found.Refusal) : TypedResults.Ok(AddonMapping.ToResponse(found.Value.Broker, found.Value.Service));
    }

    private static async Task<Results<Ok<List<AddonPlanResponse>>, ProblemHttpResult>> ListPlans(string service, BrokerRegistry registry, CancellationToken ct)
    {
        var found = await registry.FindServiceAsync(service, ct);
        if (found.Refused)
        {
            return ApiProblem.Of(found.Refusal);
        }

        var offered = found.Value.Service;
        return TypedResults.Ok((offered.Plans ?? []).Select((p, i) => AddonMapping.ToResponse(offered, p, isDefault: i == 0)).ToList());
    }

    /// <summary>A plan by its name (<c>standard</c>), full name (<c>filestore:standard</c>) or id.</summary>
    private static async Task<Results<Ok<AddonPlanResponse>, ProblemHttpResult>> GetPlan(string service, string plan, BrokerRegistry registry, CancellationToken ct)
    {
        var found = await registry.FindServiceAsync(service, ct);
        if (found.Refused)
        {
            return ApiProblem.Of(found.Refusal);
        }

        var offered = found.Value.Service;
        var plans = offered.Plans ?? [];
        var index = plans.FindIndex(p => p.Id == plan || p.Name == plan || $"{offered.Name}:{p.Name}" == plan);
        return index < 0
            ? ApiProblem.NotFound($"The {offered.Name} service has no plan '{plan}'; its plans are: {string.Join(", ", plans.Select(p => $"{offered.Name}:{p.Name}"))}.")
            : TypedResults.Ok(AddonMapping.ToResponse(offered, plans[index], isDefault: index == 0));
    }

    private static async Task<Ok<List<AddonResponse>>> ListAll(HttpContext http, AddonService addons, CancellationToken ct) =>
        TypedResults.Ok((await addons.ListAllAsync(Caller.Of(http.User), ct)).Select(a => AddonMapping.ToResponse(a.Addon, a.App)).ToList());

    private static async Task<Ok<List<AttachmentResponse>>> ListAllAttachments(HttpContext http, AddonService addons, CancellationToken ct) =>
        TypedResults.Ok((await addons.AttachmentsAsync(Caller.Of(http.User), ct)).Select(a => AddonMapping.ToAttachment(a.Addon, a.App)).ToList());

    private static async Task<Ok<List<AttachmentResponse>>> ListAttachments(RequestedApp target, AddonService addons, CancellationToken ct) =>
        TypedResults.Ok((await addons.AttachmentsAsync(target.App, ct)).Select(a => AddonMapping.ToAttachment(a, target.App)).ToList());

    private static async Task<Results<Ok<AttachmentResponse>, ProblemHttpResult>> GetAttachment(RequestedApp target, string attachment, AddonService addons, CancellationToken ct)
    {
        var found = await addons.FindAttachmentAsync(target.App, attachment, ct);
        return found.Refused ? ApiProblem.Of(found.Refusal) : TypedResults.Ok(AddonMapping.ToAttachment(found.Value, target.App));
    }

    private static async Task<Ok<List<AddonResponse>>> List(RequestedApp target, AddonService addons, CancellationToken ct) =>
        TypedResults.Ok((await addons.ListAsync(target.App, ct)).Select(a => AddonMapping.ToResponse(a, target.App)).ToList());

    private static async Task<Results<Ok<AddonResponse>, ProblemHttpResult>> Get(RequestedApp target, string addon, AddonService addons, CancellationToken ct)
    {
        var found = await addons.FindAsync(target.App, addon, ct);
        return found.Refused ? ApiProblem.Of(found.Refusal) : TypedResults.Ok(AddonMapping.ToResponse(found.Value, target.App));
    }

    private static async Task<Results<Created<AddonResponse>, Accepted<AddonResponse>, ProblemHttpResult>> Create(
        RequestedApp target, CreateAddonRequest request, HttpContext http, AddonService addons, CancellationToken ct)
    {
        var (app, caller) = target;
        var created = await addons.CreateAsync(app, caller, request, ct);
        if (created.Refused)
        {
            return ApiProblem.Of(created.Refusal);
        }

        var (addon, done, released, _) = created.Value;
        var location = $"/apps/{app.Key}/addons/{addon.Id}";
        if (!done)
        {
            return TypedResults.Accepted(location, AddonMapping.ToResponse(addon, app));
        }

        http.Response.Headers[ConfigApi.ReleaseHeader] = $"v{released}";
        return TypedResults.Created(location, AddonMapping.ToResponse(addon, app));
    }

    /// <summary>
    /// Detaches and destroys. Answers the add-on as <c>deprovisioned</c> once the broker
    /// confirmed; a broker failure keeps it listed as <c>deprovision_failed</c>.
    /// </summary>
    private static async Task<Results<Ok<AddonResponse>, Accepted<AddonResponse>, ProblemHttpResult>> Destroy(
        RequestedApp target, string addon, string? confirm, HttpContext http, AddonService addons, CancellationToken ct)
    {
        var (app, caller) = target;
        var destroyed = await addons.DestroyAsync(app, caller, addon, confirm, ct);
        if (destroyed.Refused)
        {
            return ApiProblem.Of(destroyed.Refusal);
        }

        var (row, done, released, failure) = destroyed.Value;
        if (released is { } version)
        {
            http.Response.Headers[ConfigApi.ReleaseHeader] = $"v{version}";
        }

        if (failure is not null)
        {
            return ApiProblem.Of(failure);
        }

        return done
            ? TypedResults.Ok(AddonMapping.ToResponse(row, app, AddonMapping.Deprovisioned))
            : TypedResults.Accepted($"/apps/{app.Key}/addons/{row.Id}", AddonMapping.ToResponse(row, app));
    }
}
