using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Apps;
using Slipway.Server.Builds;
using Slipway.Server.Data;
using Slipway.Server.Http;

namespace Slipway.Server.AutoDeploy;

/// <summary>
/// <c>/apps/{app}/builds/auto</c> (Akkeris's route): watch a branch of a repository
/// (<c>POST</c>), see what is watched (<c>GET</c>), stop (<c>DELETE</c>). Every answer names the
/// branch. The token is never shown; the webhook secret only in the answer to the <c>POST</c>.
/// </summary>
public static class AutoDeployApi
{
    public const string DefaultBranch = "main";

    public static IEndpointRouteBuilder MapAutoDeployApi(this IEndpointRouteBuilder routes)
    {
        var auto = routes.MapGroup("/apps/{app}/builds/auto");
        auto.MapPost("/", Set);
        auto.MapGet("/", Get);
        auto.MapDelete("/", Unset);
        return routes;
    }

    private static async Task<Results<Created<AutoDeployResponse>, ProblemHttpResult>> Set(
        string app,
        SetAutoDeployRequest request,
        HttpContext http,
        Access access,
        SlipwayDb db,
        GitClient git,
        AutoDeploySecrets secrets,
        IOptions<GitHubOptions> github,
        TimeProvider clock,
        CancellationToken ct)
    {
        var caller = Caller.Of(http.User);
        var found = await access.FindAppAsync(caller, app, ct);
        if (found is null)
        {
            return AppsApi.AppNotFound(app);
        }

        var repo = RepoRef.Parse(request.Repo, github.Value.Host);
        if (repo is null)
        {
            return ApiProblem.Invalid($"repo must be a git repository URL (https://, ssh://, git@host:path) or an absolute path, of at most {RepoRef.MaxLength} characters.");
        }

        var branch = string.IsNullOrWhiteSpace(request.Branch) ? DefaultBranch : request.Branch.Trim();
        if (branch.StartsWith("refs/heads/", StringComparison.Ordinal))
        {
            branch = branch["refs/heads/".Length..];
        }

        if (!RepoRef.IsBranch(branch))
        {
            return ApiProblem.Invalid($"branch '{branch}' is not a valid branch name.");
        }

        var username = string.IsNullOrWhiteSpace(request.Username) ? null : request.Username.Trim();
        var token = string.IsNullOrEmpty(request.Token) ? null : request.Token.Trim();
        if (username?.Length > 256 || token?.Length > 4096)
        {
            return ApiProblem.Invalid("username or token is too long.");
        }

        // A polled repository is read now: a wrong URL or token is said here, not in a log, and
        // the head now is where watching starts (the next push builds).
        string? head = null;
        if (repo.Kind == RepoKind.Git)
        {
            try
            {
                head = await git.HeadAsync(new GitCredentials(repo.Url, username, token), branch, ct);
            }
            catch (GitException e)
            {
                return ApiProblem.Invalid($"Cannot read {repo.Url}: {e.Message}");
            }
        }

        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        var now = clock.GetUtcNow();
        var setting = await db.AutoDeploySettings.FirstOrDefaultAsync(s => s.AppId == found.Id, ct);
        if (setting is null)
        {
            setting = AutoDeploySetting.Create(found.Id, caller.UserId, now);
            db.AutoDeploySettings.Add(setting);
        }

        setting.Watch(repo, branch, username, token is null ? null : secrets.Protect(token), secrets.Protect(secret), request.AutoDeploy ?? true, head, caller.UserId, now);
        if (!await db.TrySaveUniqueAsync(ct))
        {
            return ApiProblem.Conflict($"Auto-deploy of {found.Key} was set by another request at the same time; try again.");
        }

        var response = await ResponseAsync(db, found, setting, http.Request, secret, ct);
        return TypedResults.Created($"/apps/{found.Key}/builds/auto", response);
    }

    private static async Task<Results<Ok<AutoDeployResponse>, ProblemHttpResult>> Get(string app, HttpContext http, Access access, SlipwayDb db, CancellationToken ct)
    {
        var found = await access.FindAppAsync(Caller.Of(http.User), app, ct);
        if (found is null)
        {
            return AppsApi.AppNotFound(app);
        }

        var setting = await db.AutoDeploySettings.AsNoTracking().FirstOrDefaultAsync(s => s.AppId == found.Id, ct);
        return setting is null ? NotWatching(found) : TypedResults.Ok(await ResponseAsync(db, found, setting, http.Request, null, ct));
    }

    private static async Task<Results<Ok<AutoDeployResponse>, ProblemHttpResult>> Unset(string app, HttpContext http, Access access, SlipwayDb db, CancellationToken ct)
    {
        var found = await access.FindAppAsync(Caller.Of(http.User), app, ct);
        if (found is null)
        {
            return AppsApi.AppNotFound(app);
        }

        var setting = await db.AutoDeploySettings.FirstOrDefaultAsync(s => s.AppId == found.Id, ct);
        if (setting is null)
        {
            return NotWatching(found);
        }

        var response = await ResponseAsync(db, found, setting, http.Request, null, ct);
        db.AutoDeploySettings.Remove(setting);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(response);
    }

    /// <summary>The webhook URL GitHub is given: this app's own route, as the request reached the server.</summary>
    public static string WebhookUrl(App app, HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}/apps/{app.Key}/builds/auto/github";

    private static async Task<AutoDeployResponse> ResponseAsync(SlipwayDb db, App app, AutoDeploySetting setting, HttpRequest request, string? secret, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().Where(u => u.Id == setting.UserId).Select(u => new UserRef(u.Id, u.Email)).SingleAsync(ct);
        var last = await db.AutoDeployCommits.AsNoTracking()
            .Where(c => c.AppId == app.Id)
            .OrderByDescending(c => c.CreatedAt)
            .Join(db.Builds, c => c.BuildId, b => b.Id, (c, b) => b)
            .FirstOrDefaultAsync(ct);
        return new AutoDeployResponse(
            new NamedRef(app.Id, app.Key),
            Sources.SourceUrls.WithoutCredentials(setting.Repo),
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
            user,
            setting.CreatedAt,
            setting.UpdatedAt);
    }

    private static ProblemHttpResult NotWatching(App app) => ApiProblem.NotFound($"{app.Key} does not watch a repository: set one with POST /apps/{app.Key}/builds/auto (aka repo:set).");
}
