using Microsoft.AspNetCore.Http.HttpResults;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Http;
using Slipway.Server.Runtime;

namespace Slipway.Server.Apps;

/// <summary><c>/apps</c>: create, list, show and destroy (with the key repeated as confirmation).</summary>
public static class AppsApi
{
    public static IEndpointRouteBuilder MapAppsApi(this IEndpointRouteBuilder routes, IEndpointRouteBuilder app)
    {
        var apps = routes.MapGroup("/apps");
        apps.MapGet("/", List);
        apps.MapPost("/", Create);
        app.MapGet("/", Get);
        app.MapDelete("/", Destroy);
        return routes;
    }

    private static async Task<Ok<List<AppResponse>>> List(HttpContext http, AppService apps, IAppRuntime runtime, CancellationToken ct)
    {
        var found = await apps.ListAsync(Caller.Of(http.User), ct);
        return TypedResults.Ok(found.Select(a => ToResponse(a.App, a.ServingVersion, runtime)).ToList());
    }

    private static async Task<Results<Created<AppResponse>, ProblemHttpResult>> Create(CreateAppRequest request, HttpContext http, AppService apps, IAppRuntime runtime, CancellationToken ct)
    {
        var created = await apps.CreateAsync(Caller.Of(http.User), request, ct);
        return created.Refused
            ? ApiProblem.Of(created.Refusal)
            : TypedResults.Created($"/apps/{created.Value.Key}", ToResponse(created.Value, null, runtime));
    }

    private static async Task<Ok<AppResponse>> Get(RequestedApp target, AppService apps, IAppRuntime runtime, CancellationToken ct) =>
        TypedResults.Ok(ToResponse(target.App, await apps.ServingVersionAsync(target.App, ct), runtime));

    /// <summary>Destroys the app; <c>?confirm=</c> must repeat its key.</summary>
    private static async Task<Results<Ok<AppResponse>, ProblemHttpResult>> Destroy(RequestedApp target, string? confirm, AppService apps, CancellationToken ct) =>
        await apps.DestroyAsync(target.App, confirm, ct) is { } refusal
            ? ApiProblem.Of(refusal)
            : TypedResults.Ok(ToResponse(target.App, null));

    /// <summary>The API's view of an app; <paramref name="servingVersion"/> is its <c>current_version</c> for now.</summary>
    internal static AppResponse ToResponse(App app, int? servingVersion, IAppRuntime? runtime = null) => new(
        app.Id,
        app.Key,
        app.Name,
        new NamedRef(app.Space.Id, app.Space.Name),
        WebUrl: runtime?.WebUrlOf(app.Key),
        servingVersion,
        app.CreatedAt,
        app.UpdatedAt);
}
