using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Server.Builds;
using Slipway.Server.Data;
using Slipway.Server.Jobs;
using Slipway.Server.Sources;

namespace Slipway.Server.AutoDeploy;

/// <summary>
/// A new head on a watched branch, as a webhook or the poller saw it. What GitHub's payload
/// says of the commit comes with it; for a polled repository git tells it once fetched.
/// </summary>
public sealed record PushTrigger(Guid AppId, string Repo, string Branch, string Commit, string? Author = null, string? Message = null);

/// <summary>
/// Turns pushes into builds through a <see cref="JobQueue{TJob}"/> keyed by app: one app's pushes
/// strictly in the order they came and one at a time (each waits for the build before it to end),
/// different apps side by side, at most <see cref="AutoDeployOptions.Concurrency"/> at once and
/// <see cref="AutoDeployOptions.QueueLimit"/> waiting. A commit is
/// built once per app however many times it is seen (<see cref="AutoDeployCommit"/>'s unique
/// key). The source is fetched here (GitHub's tarball, or a shallow fetch and <c>git archive</c>)
/// into the uploads folder, so that the build engine reads it like an upload; a fetch that fails
/// becomes a failed build that says why.
/// </summary>
public sealed partial class AutoDeployer(
    IDbContextFactory<SlipwayDb> dbs,
    IServiceScopeFactory scopes,
    BuildPaths paths,
    GitClient git,
    GitHubClient github,
    AutoDeploySecrets secrets,
    IOptions<BuildOptions> buildOptions,
    IOptions<AutoDeployOptions> options,
    TimeProvider clock,
    ILogger<AutoDeployer> logger) : BackgroundService
{
    private readonly JobQueue<PushJob> _pushes = new(new JobLimits(options.Value.QueueLimit, options.Value.Concurrency), logger);

    /// <summary>Where git works on a fetch; emptied when the server starts.</summary>
    public string Scratch => Path.Combine(paths.Root, "git");

    /// <summary>Queues a push; false when too many wait.</summary>
    public bool TryEnqueue(PushTrigger trigger) => _pushes.TryEnqueue(new PushJob(trigger));

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        BuildPaths.Remove(Scratch);
        return base.StartAsync(cancellationToken);
    }

    /// <summary>Pushes still waiting at stop are dropped: the poller sees their heads again, and a webhook's sender retries.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _pushes.RunAsync(HandleAsync, stoppingToken);

    private async Task HandleAsync(PushJob push, CancellationToken ct)
    {
        var trigger = push.Trigger;
        try
        {
            await BuildAsync(trigger, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Log.PushFailed(logger, e, trigger.AppId, trigger.Commit);
            push.Fail(e.Message);
        }
    }

    private async Task BuildAsync(PushTrigger trigger, CancellationToken ct)
    {
        AutoDeploySetting? setting;
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            setting = await db.AutoDeploySettings.AsNoTracking().FirstOrDefaultAsync(s => s.AppId == trigger.AppId, ct);
            if (setting is null || setting.Repo != trigger.Repo || setting.Branch != trigger.Branch
                || await db.AutoDeployCommits.AnyAsync(c => c.AppId == trigger.AppId && c.Commit == trigger.Commit, ct))
            {
                return;
            }
        }

        Directory.CreateDirectory(paths.UploadsIncoming);
        var fetched = Path.Combine(paths.UploadsIncoming, Guid.NewGuid().ToString("N") + ".autodeploy");
        var commit = new CommitInfo(trigger.Commit, trigger.Author, trigger.Message);
        string? failure = null;
        string sourceUrl;
        try
        {
            var token = setting.ProtectedToken is { } protectedToken ? secrets.Unprotect(protectedToken) : null;
            if (setting.Kind == RepoKind.GitHub)
            {
                sourceUrl = $"{github.ApiUrl}/repos/{setting.RepoFullName}/tarball/{trigger.Commit}";
                await github.DownloadTarballAsync(setting.RepoFullName!, trigger.Commit, token, fetched, ct);
            }
            else
            {
                sourceUrl = SourceUrls.WithoutCredentials(setting.Repo);
                Directory.CreateDirectory(Scratch);
                var info = await git.ArchiveAsync(new GitCredentials(setting.Repo, setting.Username, token), setting.Branch, trigger.Commit, fetched, Scratch, ct);
                commit = info with { AuthorName = info.AuthorName ?? trigger.Author, Message = info.Message ?? trigger.Message };
            }
        }
        catch (Exception e) when (e is GitException or BuildFailedException)
        {
            sourceUrl = setting.Kind == RepoKind.GitHub ? $"{github.ApiUrl}/repos/{setting.RepoFullName}/tarball/{trigger.Commit}" : SourceUrls.WithoutCredentials(setting.Repo);
            failure = $"Fetching {commit.Sha[..Math.Min(7, commit.Sha.Length)]} of {SourceUrls.ForDisplay(sourceUrl)} failed: {e.Message}";
        }

        try
        {
            await StartBuildAsync(setting, commit, sourceUrl, fetched, failure, ct);
        }
        finally
        {
            BuildPaths.Remove(fetched);
        }
    }

    private async Task StartBuildAsync(AutoDeploySetting setting, CommitInfo commit, string sourceUrl, string fetched, string? failure, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var upload = SourceUpload.Create(setting.UserId, now, buildOptions.Value.SourceRetention);
        var source = new BuildSource(sourceUrl, null, null, commit.Sha, commit.AuthorName, commit.Message, SourceUrls.WithoutCredentials(setting.Repo), setting.Branch, upload.Id);
        try
        {
            if (failure is null)
            {
                upload.MarkUploaded(new FileInfo(fetched).Length, "");
                File.Move(fetched, paths.UploadOf(upload.Id));
            }

            Build? build;
            await using (var scope = scopes.CreateAsyncScope())
            {
                build = await scope.ServiceProvider.GetRequiredService<BuildService>().StartAsync(
                    setting.AppId,
                    setting.UserId,
                    source,
                    setting.Deploy ? BuildDeploy.AutoDeploy : BuildDeploy.None,
                    started => failure is null
                        ? [upload, AutoDeployCommit.Create(setting.AppId, commit.Sha, started.Id, now)]
                        : [AutoDeployCommit.Create(setting.AppId, commit.Sha, started.Id, now)],
                    failure,
                    ct);
            }

            if (build is null)
            {
                // The webhook and the poller both saw it; the other one builds it.
                return;
            }

            await using (var db = await dbs.CreateDbContextAsync(ct))
            {
                await db.AutoDeploySettings.Where(s => s.AppId == setting.AppId && s.Repo == setting.Repo && s.Branch == setting.Branch)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastCommit, commit.Sha).SetProperty(x => x.LastCommitAt, now), ct);
            }

            Log.BuildStarted(logger, build.Id, setting.AppId, commit.Sha);
            await WaitForEndAsync(build.Id, ct);
        }
        finally
        {
            BuildPaths.Remove(paths.UploadOf(upload.Id));
            await using var db = await dbs.CreateDbContextAsync(CancellationToken.None);
            await db.SourceUploads.Where(s => s.Id == upload.Id).ExecuteDeleteAsync(CancellationToken.None);
        }
    }

    private async Task WaitForEndAsync(Guid buildId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        while (await db.Builds.Where(b => b.Id == buildId).Select(b => (BuildStatus?)b.Status).FirstOrDefaultAsync(ct) == BuildStatus.Pending)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), clock, ct);
        }
    }

    /// <summary>One push waiting for its turn in its app's lane.</summary>
    private sealed class PushJob(PushTrigger trigger) : Job(trigger.AppId)
    {
        public PushTrigger Trigger { get; } = trigger;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Auto-deploy build {BuildId} of app {AppId} started for commit {Commit}")]
        public static partial void BuildStarted(ILogger logger, Guid buildId, Guid appId, string commit);

        [LoggerMessage(Level = LogLevel.Error, Message = "The push of {Commit} to app {AppId} could not be built")]
        public static partial void PushFailed(ILogger logger, Exception exception, Guid appId, string commit);
    }
}
