using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Server.Data;

namespace Slipway.Server.AutoDeploy;

/// <summary>
/// Watches the repositories GitHub does not push to: every <see cref="GitOptions.PollSeconds"/>
/// it asks each for the head of its branch (<c>git ls-remote</c>), and hands a head it has not
/// seen to the <see cref="AutoDeployer"/>. A repository that cannot be read is logged and asked
/// again next time. With several servers on one database only the one holding the poller's lease
/// polls; if it dies, another takes over after three rounds.
/// </summary>
public sealed partial class GitPoller(
    IDbContextFactory<SlipwayDb> dbs,
    GitClient git,
    Leases leases,
    AutoDeployer deployer,
    AutoDeploySecrets secrets,
    IOptions<GitOptions> options,
    TimeProvider clock,
    ILogger<GitPoller> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.PollSeconds), clock);
        try
        {
            do
            {
                await PollAllAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public const string LeaseScope = "git-poller";

    private async Task PollAllAsync(CancellationToken ct)
    {
        List<AutoDeploySetting> watched;
        try
        {
            if (!await leases.TryClaimAsync(LeaseScope, TimeSpan.FromSeconds(3 * options.Value.PollSeconds), ct))
            {
                return;
            }

            await using var db = await dbs.CreateDbContextAsync(ct);
            watched = await db.AutoDeploySettings.AsNoTracking().Where(s => s.Kind == RepoKind.Git).ToListAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.PollFailed(logger, e);
            return;
        }

        await Parallel.ForEachAsync(watched, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, PollAsync);
    }

    private async ValueTask PollAsync(AutoDeploySetting setting, CancellationToken ct)
    {
        try
        {
            var token = setting.ProtectedToken is { } protectedToken ? secrets.Unprotect(protectedToken) : null;
            var head = await git.HeadAsync(new GitCredentials(setting.Repo, setting.Username, token), setting.Branch, ct);
            if (head is null || head == setting.LastCommit)
            {
                return;
            }

            await using var db = await dbs.CreateDbContextAsync(ct);

            // Only if the setting still watches what was polled: a repo:set meanwhile starts over.
            var changed = await db.AutoDeploySettings
                .Where(s => s.AppId == setting.AppId && s.Repo == setting.Repo && s.Branch == setting.Branch && s.LastCommit == setting.LastCommit)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastCommit, head).SetProperty(x => x.LastCommitAt, clock.GetUtcNow()), ct);
            if (changed == 1 && !deployer.TryEnqueue(new PushTrigger(setting.AppId, setting.Repo, setting.Branch, head)))
            {
                Log.QueueFull(logger, setting.AppId);
            }
        }
        catch (GitException e)
        {
            Log.RepoUnreadable(logger, setting.AppId, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.RepoPollCrashed(logger, e, setting.AppId);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Listing the watched repositories failed")]
        public static partial void PollFailed(ILogger logger, Exception exception);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The repository app {AppId} watches could not be read: {Reason}")]
        public static partial void RepoUnreadable(ILogger logger, Guid appId, string reason);

        [LoggerMessage(Level = LogLevel.Error, Message = "Polling the repository of app {AppId} failed")]
        public static partial void RepoPollCrashed(ILogger logger, Exception exception, Guid appId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Too many pushes wait; the new head of app {AppId} is built at the next change")]
        public static partial void QueueFull(ILogger logger, Guid appId);
    }
}
