using Microsoft.AspNetCore.Http.HttpResults;
using Slipway.Server.Accounts;
using Slipway.Server.Addons;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Http;
using Slipway.Server.Releases;

namespace Slipway.Server.Config;

/// <summary>
/// <c>/apps/{app}/config-vars</c>. The config is the base release's user vars plus the vars of
/// the add-ons attached now (as Heroku shows it); a PATCH changes user vars only. A PATCH that
/// changes something makes one release, one that changes nothing makes none and says so in
/// the <c>Slipway-Release</c> header (<c>none</c>), with the body Heroku clients expect.
/// </summary>
public static class ConfigApi
{
    public const string ReleaseHeader = "Slipway-Release";

    public static IEndpointRouteBuilder MapConfigApi(this IEndpointRouteBuilder routes)
    {
        var config = routes.MapGroup("/apps/{app}/config-vars");
        config.MapGet("/", Get);
        config.MapPatch("/", Patch);
        return routes;
    }

    private static async Task<Results<Ok<Dictionary<string, string>>, ProblemHttpResult>> Get(string app, HttpContext http, Access access, SlipwayDb db, CancellationToken ct)
    {
        var found = await access.FindAppAsync(Caller.Of(http.User), app, ct);
        if (found is null)
        {
            return AppsApi.AppNotFound(app);
        }

        var baseRelease = await ReleaseQueries.BaseAsync(db, found.Id, ct);
        return TypedResults.Ok(ReleaseEnvironment.Combine(baseRelease?.ConfigVars ?? [], await AddonQueries.AttachedAsync(db, found.Id, ct)));
    }

    private static async Task<Results<Ok<Dictionary<string, string>>, ProblemHttpResult>> Patch(
        string app, Dictionary<string, string?> body, HttpContext http, Access access, ReleaseService releases, SlipwayDb db, CancellationToken ct)
    {
        var caller = Caller.Of(http.User);
        var found = await access.FindAppAsync(caller, app, ct);
        if (found is null)
        {
            return AppsApi.AppNotFound(app);
        }

        if (ConfigChange.Parse(body, out var error) is not { } change)
        {
            return ApiProblem.Invalid(error!);
        }

        var (outcome, result) = await change.ReleaseAsync(releases, db, found, caller, ct);
        if (outcome.Refusal is { } refusal)
        {
            return ApiProblem.Of(refusal.Status, refusal.Id, refusal.Message);
        }

        http.Response.Headers[ReleaseHeader] = outcome.Release is { } release ? $"v{release.Version}" : "none";
        return TypedResults.Ok(result);
    }
}
