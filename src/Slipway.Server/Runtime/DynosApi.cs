using Microsoft.AspNetCore.Http.HttpResults;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Http;

namespace Slipway.Server.Runtime;

/// <summary>
/// <c>/apps/{app}/dynos</c>: the app's processes as they are now, and restarts
/// (<c>DELETE</c> all, a type such as <c>web</c>, or one process such as <c>web.1</c>).
/// </summary>
public static class DynosApi
{
    public static IEndpointRouteBuilder MapDynosApi(this IEndpointRouteBuilder routes)
    {
        var dynos = routes.MapGroup("/apps/{app}/dynos");
        dynos.MapGet("/", List);
        dynos.MapDelete("/", RestartAll);
        dynos.MapDelete("/{dyno}", Restart);
        return routes;
    }

    private static async Task<Results<Ok<List<DynoResponse>>, ProblemHttpResult>> List(string app, HttpContext http, Access access, IAppRuntime runtime, CancellationToken ct)
    {
        var found = await access.FindAppAsync(Caller.Of(http.User), app, ct);
        if (found is null)
        {
            return AppsApi.AppNotFound(app);
        }

        return TypedResults.Ok((await runtime.DynosAsync(found.Id, ct)).Select(ToResponse).ToList());
    }

    private static Task<Results<Accepted, ProblemHttpResult>> RestartAll(string app, HttpContext http, Access access, SlipwayDb db, IAppRuntime runtime, Deployer deployer, CancellationToken ct) =>
        Restart(app, null, http, access, db, runtime, deployer, ct);

    /// <summary>Restarts all (<paramref name="dyno"/> null), a type or a process; the dashboard's restart buttons call this too.</summary>
    internal static async Task<Results<Accepted, ProblemHttpResult>> Restart(
        string app, string? dyno, HttpContext http, Access access, SlipwayDb db, IAppRuntime runtime, Deployer deployer, CancellationToken ct)
    {
        var found = await access.FindAppAsync(Caller.Of(http.User), app, ct);
        if (found is null)
        {
            return AppsApi.AppNotFound(app);
        }

        if (dyno is not null)
        {
            var processTypes = await FormationApi.ProcessTypesAsync(db, found, ct);
            var known = processTypes.ContainsKey(dyno) || (await runtime.DynosAsync(found.Id, ct)).Any(d => d.Name == dyno);
            if (!known || dyno == ReleaseSpec.ReleasePhaseType)
            {
                return ApiProblem.NotFound($"{found.Key} has no process type or process '{dyno}'.");
            }
        }

        await deployer.EnqueueAsync(new RuntimeJob.Restart(found.Id, dyno), CancellationToken.None);
        return TypedResults.Accepted($"/apps/{found.Key}/dynos");
    }

    internal static DynoResponse ToResponse(DynoStatus dyno) => new(
        dyno.Name,
        dyno.Type,
        dyno.State.ToString().ToLowerInvariant(),
        dyno.Since,
        dyno.ReleaseVersion,
        dyno.Command,
        dyno.Restarts);
}
