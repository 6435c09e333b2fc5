using Microsoft.OpenApi;
using Slipway.Server.Accounts;
using Slipway.Server.Apps;

namespace Slipway.Server.Http;

/// <summary>
/// The app a request under <c>/apps/{app}</c> names, as the caller may see it, with the caller.
/// A handler in the group takes it as a parameter instead of looking the app up itself: the
/// group's filter (<see cref="AppRoutes.MapAppGroup"/>) finds it once, or answers the 404.
/// </summary>
public sealed record RequestedApp(App App, Caller Caller)
{
    // Minimal APIs bind parameters before endpoint filters run: this stands in until the group's filter puts the app in its place.
    private static readonly RequestedApp Unresolved = new(null!, null!);

    public static ValueTask<RequestedApp?> BindAsync(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<AppRoutes.Group>() is null
            ? throw new InvalidOperationException($"{nameof(RequestedApp)} is only resolved for endpoints mapped in the group of {nameof(AppRoutes)}.{nameof(AppRoutes.MapAppGroup)}.")
            : ValueTask.FromResult<RequestedApp?>(Unresolved);
}

/// <summary>
/// The one <c>/apps/{app}</c> route group. Its filter resolves the app (key or id) and the
/// caller's access once per request, before any handler runs: an app the caller may not see does
/// not exist for them (404, <see cref="AppService.NotFound"/>). Routes that must work without a
/// token (a build's keyed output stream, GitHub's webhooks) are mapped outside it.
/// </summary>
public static class AppRoutes
{
    public const string Pattern = "/apps/{app}";

    public const string AppParameter = "app";

    public static RouteGroupBuilder MapAppGroup(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(Pattern);
        group.WithMetadata(new Group());
        group.ProducesProblem(StatusCodes.Status404NotFound);

        // No handler binds {app} itself, so the OpenAPI document learns of it here.
        group.AddOpenApiOperationTransformer((operation, context, ct) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Insert(0, new OpenApiParameter
            {
                Name = AppParameter,
                In = ParameterLocation.Path,
                Required = true,
                Description = "The app's key (name-space) or id.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
            return Task.CompletedTask;
        });
        group.AddEndpointFilterFactory((factory, next) =>
        {
            var slots = factory.MethodInfo.GetParameters()
                .Where(p => p.ParameterType == typeof(RequestedApp))
                .Select(p => p.Position)
                .ToArray();
            return async context =>
            {
                var found = await ResolveAsync(context.HttpContext, context.HttpContext.GetRouteValue(AppParameter) as string ?? "");
                if (found.Refused)
                {
                    return ApiProblem.Of(found.Refusal);
                }

                foreach (var slot in slots)
                {
                    context.Arguments[slot] = found.Value;
                }

                return await next(context);
            };
        });
        return group;
    }

    /// <summary>The app <paramref name="reference"/> (key or id) names, if the request's caller may see it.</summary>
    public static async Task<Answer<RequestedApp>> ResolveAsync(HttpContext http, string reference)
    {
        var caller = Caller.Of(http.User);
        var app = await http.RequestServices.GetRequiredService<Access>().FindAppAsync(caller, reference, http.RequestAborted);
        return app is null ? AppService.NotFound(reference) : new RequestedApp(app, caller);
    }

    /// <summary>Marks the endpoints of the group, so that <see cref="RequestedApp"/> knows it will be resolved.</summary>
    public sealed class Group;
}
