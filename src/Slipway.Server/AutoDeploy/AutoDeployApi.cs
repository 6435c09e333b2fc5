using Microsoft.AspNetCore.Http.HttpResults;
using Slipway.Contracts;
using Slipway.Server.Apps;
using Slipway.Server.Builds;
using Slipway.Server.Http;
using Slipway.Server.Sources;

namespace Slipway.Server.AutoDeploy;

/// <summary>
/// <c>/apps/{app}/builds/auto</c> (Akkeris's route, <see cref="AutoDeployService"/>): watch a
/// branch of a repository (<c>POST</c>), see what is watched (<c>GET</c>), stop (<c>DELETE</c>).
/// <c>GET</c> and <c>DELETE</c> also answer at <c>/builds/auto/github</c>, where Akkeris's
/// <c>aka repo</c> and <c>aka repo:unset</c> send them (a <c>POST</c> there is GitHub's webhook).
/// Every answer names the branch. The token is never shown; the webhook secret only in the
/// answer to the <c>POST</c>.
/// </summary>
public static class AutoDeployApi
{
    public static IEndpointRouteBuilder MapAutoDeployApi(this IEndpointRouteBuilder app)
    {
        var auto = app.MapGroup("/builds/auto");
        auto.MapPost("/", Set);
        auto.MapGet("/", Get);
        auto.MapDelete("/", Unset);
        auto.MapGet("/github", Get);
        auto.MapDelete("/github", Unset);
        return app;
    }

    private static async Task<Results<Created<AutoDeployResponse>, ProblemHttpResult>> Set(
        RequestedApp target, SetAutoDeployRequest request, HttpContext http, AutoDeployService autoDeploy, CancellationToken ct)
    {
        var (app, caller) = target;
        var watched = await autoDeploy.WatchAsync(app, caller, request, ct);
        return watched.Refused
            ? ApiProblem.Of(watched.Refusal)
            : TypedResults.Created($"/apps/{app.Key}/builds/auto", ToResponse(app, watched.Value, http.Request));
    }

    private static async Task<Results<Ok<AutoDeployResponse>, ProblemHttpResult>> Get(RequestedApp target, HttpContext http, AutoDeployService autoDeploy, CancellationToken ct)
    {
        var found = await autoDeploy.FindAsync(target.App, ct);
        return found.Refused ? ApiProblem.Of(found.Refusal) : TypedResults.Ok(ToResponse(target.App, found.Value, http.Request));
    }

    private static async Task<Results<Ok<AutoDeployResponse>, ProblemHttpResult>> Unset(RequestedApp target, HttpContext http, AutoDeployService autoDeploy, CancellationToken ct)
    {
        var stopped = await autoDeploy.UnwatchAsync(target.App, ct);
        return stopped.Refused ? ApiProblem.Of(stopped.Refusal) : TypedResults.Ok(ToResponse(target.App, stopped.Value, http.Request));
    }

    /// <summary>The webhook URL GitHub is given: this app's own route, as the request reached the server.</summary>
    public static string WebhookUrl(App app, HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}/apps/{app.Key}/builds/auto/github";

    private static AutoDeployResponse ToResponse(App app, AutoDeployWatch watch, HttpRequest request)
    {
        var (setting, user, last, secret) = watch;
        return new AutoDeployResponse(
            new NamedRef(app.Id, app.Key),
            SourceUrls.WithoutCredentials(setting.Repo),
            setting.Branch,
            setting.Username,
            setting.ProtectedToken is not null,
            setting.Deploy,
            setting.Kind == RepoKind.GitHub ? "github" : "git",
            WebhookUrl(app, request),
            secret,
            setting.LastCommit,
            setting.LastCommitAt,
            last is null ? null : new AutoDeployBuild(
                last.Id,
                BuildMapping.StatusOf(last),
                last.Commit,
                last.ReleaseId is { } id && last.ReleaseVersion is { } version ? new ReleaseRef(id, version) : null,
                last.Notes,
                last.FailureReason),
            new UserRef(user.Id, user.Email),
            setting.CreatedAt,
            setting.UpdatedAt);
    }
}
