using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Http;
using Slipway.Server.Runtime;

namespace Slipway.Server.Releases;

/// <summary><c>GET /apps/{app}/releases/{release}/output</c>: what the release phase printed (<c>aka releases:output vN</c>).</summary>
public static class ReleaseOutputApi
{
    public static IEndpointRouteBuilder MapReleaseOutputApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/apps/{app}/releases/{release}/output", Get);
        return routes;
    }

    private static async Task<Results<Ok<ReleaseOutputResponse>, ProblemHttpResult>> Get(string app, string release, HttpContext http, Access access, SlipwayDb db, CancellationToken ct)
    {
        var found = await access.FindAppAsync(Caller.Of(http.User), app, ct);
        if (found is null)
        {
            return AppsApi.AppNotFound(app);
        }

        var row = ReleaseQueries.ByReference(db, found.Id, release) is { } query
            ? await query.AsNoTracking().Include(r => r.Slug).FirstOrDefaultAsync(ct)
            : null;
        if (row is null)
        {
            return ApiProblem.NotFound($"Release '{release}' not found for {found.Key}.");
        }

        var output = await db.ReleasePhaseOutputs.AsNoTracking().FirstOrDefaultAsync(o => o.ReleaseId == row.Id, ct);
        var hasPhase = output is not null || row.Slug?.ProcessTypes.ContainsKey(ReleaseSpec.ReleasePhaseType) == true;
        return TypedResults.Ok(new ReleaseOutputResponse(
            row.Version,
            row.Status.ToString().ToLowerInvariant(),
            hasPhase,
            output?.ExitCode,
            output?.Output ?? ""));
    }
}
