using Microsoft.AspNetCore.Http.HttpResults;
using Slipway.Contracts;
using Slipway.Server.Http;

namespace Slipway.Server.Runtime;

/// <summary>
/// <c>/apps/{app}/dynos</c> (<see cref="DynoService"/>): the app's processes as they are now, and
/// restarts (<c>DELETE</c> all, a type such as <c>web</c>, or one process such as <c>web.1</c>).
/// </summary>
public static class DynosApi
{
    public static IEndpointRouteBuilder MapDynosApi(this IEndpointRouteBuilder app)
    {
        var dynos = app.MapGroup("/dynos");
        dynos.MapGet("/", List);
        dynos.MapDelete("/", RestartAll);
        dynos.MapDelete("/{dyno}", Restart);
        return app;
    }

    private static async Task<Ok<List<DynoResponse>>> List(RequestedApp target, DynoService dynos, CancellationToken ct) =>
        TypedResults.Ok((await dynos.ListAsync(target.App, ct)).Select(ToResponse).ToList());

    private static Task<Results<Accepted, ProblemHttpResult>> RestartAll(RequestedApp target, DynoService dynos, CancellationToken ct) =>
        Restart(target, null, dynos, ct);

    private static async Task<Results<Accepted, ProblemHttpResult>> Restart(RequestedApp target, string? dyno, DynoService dynos, CancellationToken ct) =>
        await dynos.RestartAsync(target.App, dyno, ct) is { } refusal
            ? ApiProblem.Of(refusal)
            : TypedResults.Accepted($"/apps/{target.App.Key}/dynos");

    internal static DynoResponse ToResponse(DynoStatus dyno) => new(
        dyno.Name,
        dyno.Type,
        dyno.State.ToString().ToLowerInvariant(),
        dyno.Since,
        dyno.ReleaseVersion,
        dyno.Command,
        dyno.Restarts);
}
