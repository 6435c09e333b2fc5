using Microsoft.AspNetCore.Http.HttpResults;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Http;

namespace Slipway.Server.Apps;

/// <summary>
/// Akkeris's <c>/favorites</c> (<see cref="FavoriteService"/>): the caller's favorite apps, in the
/// shape of <c>/apps</c>; <c>POST {"app": "name-space"}</c> adds one, <c>DELETE /favorites/{app}</c> removes it.
/// </summary>
public static class FavoritesApi
{
    public static IEndpointRouteBuilder MapFavoritesApi(this IEndpointRouteBuilder routes)
    {
        var favorites = routes.MapGroup("/favorites");
        favorites.MapGet("/", List);
        favorites.MapPost("/", Add);
        favorites.MapDelete("/{app}", Remove);
        return routes;
    }

    private static async Task<Ok<List<AppResponse>>> List(HttpContext http, FavoriteService favorites, AppMapping mapping, CancellationToken ct) =>
        TypedResults.Ok((await favorites.ListAsync(Caller.Of(http.User), ct)).Select(a => mapping.ToResponse(a, http.Request)).ToList());

    private static async Task<Results<Created<AppResponse>, ProblemHttpResult>> Add(
        AddFavoriteRequest request, HttpContext http, FavoriteService favorites, AppService apps, AppMapping mapping, CancellationToken ct)
    {
        var added = await favorites.AddAsync(Caller.Of(http.User), request.App, ct);
        return added.Refused
            ? ApiProblem.Of(added.Refusal)
            : TypedResults.Created($"/favorites/{added.Value.Key}", mapping.ToResponse(await apps.SummaryAsync(added.Value, ct), http.Request));
    }

    private static async Task<Results<Ok<AppResponse>, ProblemHttpResult>> Remove(
        string app, HttpContext http, FavoriteService favorites, AppService apps, AppMapping mapping, CancellationToken ct)
    {
        var removed = await favorites.RemoveAsync(Caller.Of(http.User), app, ct);
        return removed.Refused
            ? ApiProblem.Of(removed.Refusal)
            : TypedResults.Ok(mapping.ToResponse(await apps.SummaryAsync(removed.Value, ct), http.Request));
    }
}
