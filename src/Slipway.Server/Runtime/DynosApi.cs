using Microsoft.AspNetCore.Http.HttpResults;
using Slipway.Contracts;
using Slipway.Server.Apps;
using Slipway.Server.Http;

namespace Slipway.Server.Runtime;

/// <summary>
/// <c>/apps/{app}/dynos</c> (<see cref="DynoService"/>): the app's processes as they are now, and
/// restarts (<c>DELETE</c> all, a type such as <c>web</c>, or one process such as <c>web.1</c>).
/// <c>DELETE /apps/{app}/formations/{type}</c> restarts a type too, as Heroku's <c>ps:restart -p</c> asks.
/// </summary>
public static class DynosApi
{
    public static IEndpointRouteBuilder MapDynosApi(this IEndpointRouteBuilder app)
    {
        var dynos = app.MapGroup("/dynos");
        dynos.MapGet("/", List);
        dynos.MapDelete("/", RestartAll);
        dynos.MapDelete("/{dyno}", Restart);
        app.MapDelete("/formations/{type}", RestartType);
        return app;
    }

    private static async Task<Ok<List<DynoResponse>>> List(RequestedApp target, DynoService dynos, CancellationToken ct) =>
        TypedResults.Ok((await dynos.ListAsync(target.App, ct)).Select(d => ToResponse(d, target.App)).ToList());

    private static Task<Results<Accepted, ProblemHttpResult>> RestartAll(RequestedApp target, DynoService dynos, CancellationToken ct) =>
        Restart(target, null, dynos, ct);

    private static Task<Results<Accepted, ProblemHttpResult>> RestartType(RequestedApp target, string type, DynoService dynos, CancellationToken ct) =>
        Restart(target, type, dynos, ct);

    private static async Task<Results<Accepted, ProblemHttpResult>> Restart(RequestedApp target, string? dyno, DynoService dynos, CancellationToken ct) =>
        await dynos.RestartAsync(target.App, dyno, ct) is { } refusal
            ? ApiProblem.Of(refusal)
            : TypedResults.Accepted($"/apps/{target.App.Key}/dynos");

    internal static DynoResponse ToResponse(RunningDyno running, App app)
    {
        var dyno = running.Status;
        return new DynoResponse(
            dyno.Name,
            dyno.Type,
            dyno.State.ToString().ToLowerInvariant(),
            dyno.Since,
            dyno.ReleaseVersion,
            dyno.Command,
            dyno.Restarts,
            Platform.Size,
            running.ReleaseId is { } id ? new ReleaseRef(id, dyno.ReleaseVersion) : null,
            new NamedRef(app.Id, app.Key),
            dyno.CreatedAt,
            UpdatedAt: dyno.Since);
    }
}
