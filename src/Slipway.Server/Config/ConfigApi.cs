using Microsoft.AspNetCore.Http.HttpResults;
using Slipway.Server.Http;

namespace Slipway.Server.Config;

/// <summary>
/// <c>/apps/{app}/config-vars</c> (<see cref="ConfigService"/>). A PATCH that changes something
/// makes one release, one that changes nothing makes none and says so in the
/// <c>Slipway-Release</c> header (<c>none</c>), with the body Heroku clients expect.
/// </summary>
public static class ConfigApi
{
    public const string ReleaseHeader = "Slipway-Release";

    public static IEndpointRouteBuilder MapConfigApi(this IEndpointRouteBuilder app)
    {
        var config = app.MapGroup("/config-vars");
        config.MapGet("/", Get);
        config.MapPatch("/", Patch);
        return app;
    }

    private static async Task<Ok<Dictionary<string, string>>> Get(RequestedApp target, ConfigService config, CancellationToken ct) =>
        TypedResults.Ok(await config.GetAsync(target.App, ct));

    private static async Task<Results<Ok<Dictionary<string, string>>, ProblemHttpResult>> Patch(
        RequestedApp target, Dictionary<string, string?> body, HttpContext http, ConfigService config, CancellationToken ct)
    {
        var changed = await config.ChangeAsync(target.App, target.Caller, body, ct);
        if (changed.Refused)
        {
            return ApiProblem.Of(changed.Refusal);
        }

        http.Response.Headers[ReleaseHeader] = changed.Value.Release is { } release ? $"v{release.Version}" : "none";
        return TypedResults.Ok(changed.Value.Config);
    }
}
