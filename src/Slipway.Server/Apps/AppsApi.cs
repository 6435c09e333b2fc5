using Microsoft.AspNetCore.Http.HttpResults;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Http;

namespace Slipway.Server.Apps;

/// <summary>
/// <c>/apps</c>: create, list, show and destroy; Heroku's <c>/users/~/apps</c> lists the same apps
/// as <c>/apps</c> (those the caller may see).
/// </summary>
public static class AppsApi
{
    public static IEndpointRouteBuilder MapAppsApi(this IEndpointRouteBuilder routes, IEndpointRouteBuilder app)
    {
        var apps = routes.MapGroup("/apps");
        apps.MapGet("/", List);
        apps.MapPost("/", Create);
        routes.MapGet("/users/~/apps", List);
        app.MapGet("/", Get);
        app.MapDelete("/", Destroy);
        return routes;
    }

    private static async Task<Ok<List<AppResponse>>> List(HttpContext http, AppService apps, AppMapping mapping, CancellationToken ct) =>
        TypedResults.Ok((await apps.ListAsync(Caller.Of(http.User), ct)).Select(a => mapping.ToResponse(a, http.Request)).ToList());

    private static async Task<Results<Created<AppResponse>, ProblemHttpResult>> Create(CreateAppRequest request, HttpContext http, AppService apps, AppMapping mapping, CancellationToken ct)
    {
        var created = await apps.CreateAsync(Caller.Of(http.User), request, ct);
        return created.Refused
            ? ApiProblem.Of(created.Refusal)
            : TypedResults.Created($"/apps/{created.Value.Key}", mapping.ToResponse(await apps.SummaryAsync(created.Value, ct), http.Request));
    }

    private static async Task<Ok<AppResponse>> Get(RequestedApp target, HttpContext http, AppService apps, AppMapping mapping, CancellationToken ct) =>
        TypedResults.Ok(mapping.ToResponse(await apps.SummaryAsync(target.App, ct), http.Request));

    /// <summary>Destroys the app and answers it as it was; <c>?confirm=</c>, when given, must repeat its key.</summary>
    private static async Task<Results<Ok<AppResponse>, ProblemHttpResult>> Destroy(RequestedApp target, string? confirm, HttpContext http, AppService apps, AppMapping mapping, CancellationToken ct)
    {
        var before = await apps.SummaryAsync(target.App, ct);
        return await apps.DestroyAsync(target.App, confirm, ct) is { } refusal
            ? ApiProblem.Of(refusal)
            : TypedResults.Ok(mapping.ToResponse(before, http.Request));
    }
}
