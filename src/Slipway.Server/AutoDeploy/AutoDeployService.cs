using System.Security.Cryptography;
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
/// What an app watches, with who set it and its newest auto-build. <see cref="Secret"/> is the
/// webhook secret in clear, set only in the answer to <see cref="AutoDeployService.WatchAsync"/>.
/// </summary>
public sealed record AutoDeployWatch(AutoDeploySetting Setting, User User, Build? LastBuild, string? Secret = null);

/// <summary>
/// Watching a branch of a repository per app (Akkeris's <c>/apps/{app}/builds/auto</c>): the
/// repository and branch rules, a polled repository read at once, the token and a new webhook
/// secret kept encrypted. The pushes themselves are <see cref="AutoDeployer"/>'s.
/// </summary>
public sealed class AutoDeployService(SlipwayDb db, GitClient git, AutoDeploySecrets secrets, IOptions<GitHubOptions> github, TimeProvider clock)
{
    public const string DefaultBranch = "main";

    private const string BranchPrefix = "refs/heads/";

    public async Task<Answer<AutoDeployWatch>> WatchAsync(App app, Caller caller, SetAutoDeployRequest request, CancellationToken ct)
    {
        var repo = RepoRef.Parse(request.Repo, github.Value.Host);
        if (repo is null)
        {
            return Refusal.Invalid($"repo must be a git repository URL (https://, ssh://, git@host:path) or an absolute path, of at most {RepoRef.MaxLength} characters.", nameof(request.Repo));
        }

        if (repo.IsLocal && !caller.IsAdmin)
        {
            return Refusal.Forbidden("Only an admin may watch a repository on the server's disk (a path or file:// URL); use the repository's URL.", nameof(request.Repo));
        }

        var branch = string.IsNullOrWhiteSpace(request.Branch) ? DefaultBranch : request.Branch.Trim();
        if (branch.StartsWith(BranchPrefix, StringComparison.Ordinal))
        {
            branch = branch[BranchPrefix.Length..];
        }

        if (!RepoRef.IsBranch(branch))
        {
            return Refusal.Invalid($"branch '{branch}' is not a valid branch name.", nameof(request.Branch));
        }

        var username = string.IsNullOrWhiteSpace(request.Username) ? null : request.Username.Trim();
        var token = string.IsNullOrEmpty(request.Token) ? null : request.Token.Trim();
        if (username?.Length > 256 || token?.Length > 4096)
        {
            return Refusal.Invalid("username or token is too long.");
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
                return Refusal.Invalid($"Cannot read {repo.Url}: {e.Message}", nameof(request.Repo));
            }
        }

        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        var now = clock.GetUtcNow();
        var setting = await db.AutoDeploySettings.FirstOrDefaultAsync(s => s.AppId == app.Id, ct);
        if (setting is null)
        {
            setting = AutoDeploySetting.Create(app.Id, caller.UserId, now);
            db.AutoDeploySettings.Add(setting);
        }

        setting.Watch(repo, branch, username, token is null ? null : secrets.Protect(token), secrets.Protect(secret), request.AutoDeploy ?? true, head, caller.UserId, now);
        if (!await db.TrySaveUniqueAsync(ct))
        {
            return Refusal.Conflict($"Auto-deploy of {app.Key} was set by another request at the same time; try again.");
        }

        return await WatchOfAsync(app, setting, secret, ct);
    }

    public async Task<Answer<AutoDeployWatch>> FindAsync(App app, CancellationToken ct) =>
        await db.AutoDeploySettings.AsNoTracking().FirstOrDefaultAsync(s => s.AppId == app.Id, ct) is { } setting
            ? await WatchOfAsync(app, setting, null, ct)
            : NotWatching(app);

    /// <summary>Stops watching; answers what was watched.</summary>
    public async Task<Answer<AutoDeployWatch>> UnwatchAsync(App app, CancellationToken ct)
    {
        var setting = await db.AutoDeploySettings.FirstOrDefaultAsync(s => s.AppId == app.Id, ct);
        if (setting is null)
        {
            return NotWatching(app);
        }

        var watch = await WatchOfAsync(app, setting, null, ct);
        db.AutoDeploySettings.Remove(setting);
        await db.SaveChangesAsync(ct);
        return watch;
    }

    private async Task<AutoDeployWatch> WatchOfAsync(App app, AutoDeploySetting setting, string? secret, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == setting.UserId, ct);
        var last = await db.AutoDeployCommits.AsNoTracking()
            .Where(c => c.AppId == app.Id)
            .OrderByDescending(c => c.CreatedAt)
            .Join(db.Builds, c => c.BuildId, b => b.Id, (c, b) => b)
            .FirstOrDefaultAsync(ct);
        return new AutoDeployWatch(setting, user, last, secret);
    }

    private static Refusal NotWatching(App app) =>
        Refusal.NotFound($"{app.Key} does not watch a repository: set one with POST /apps/{app.Key}/builds/auto (aka repo:set).");
}
