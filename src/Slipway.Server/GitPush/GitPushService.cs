using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Server.AutoDeploy;
using Slipway.Server.Builds;
using Slipway.Server.Data;
using Slipway.Server.Releases;
using Slipway.Server.Sources;

namespace Slipway.Server.GitPush;

/// <summary>One push being received: who pushes to which app, and the key its hook calls back with.</summary>
public sealed record PushSession(string Key, Guid AppId, string AppKey, Guid UserId, string Repository, string GitUrl, string? WebUrl);

/// <summary>
/// <c>git push</c> deploys. A push reaches git's own <c>receive-pack</c>; before git moves any ref
/// its pre-receive hook hands the pushed refs back here (<see cref="ReceiveAsync"/>), and what is
/// said here reaches the pusher as <c>remote:</c> lines. A push to the deploy branch (<c>main</c>,
/// or <c>master</c> when that is what was pushed and the app has no <c>main</c>) builds exactly
/// the pushed commit from <c>git archive</c> and releases it as <c>Deploy &lt;8 hex&gt;</c>; git
/// takes the push only once that release is serving, so a failed build or release leaves the ref
/// where it was. Pushes to one app are received one at a time, in the order they came.
/// </summary>
public sealed partial class GitPushService(
    AppRepositories repositories,
    BuildPaths paths,
    IServiceScopeFactory scopes,
    IDbContextFactory<SlipwayDb> dbs,
    IOptions<BuildOptions> buildOptions,
    TimeProvider clock,
    ILogger<GitPushService> logger)
{
    private const string NoCommit = "0000000000000000000000000000000000000000";

    private static readonly TimeSpan ReleasePoll = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<string, PushSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _lanes = new();

    /// <summary>Waits for the app's turn (pushes to one app one at a time, first come first served); dispose to let the next in.</summary>
    public async Task<IDisposable> EnterLaneAsync(Guid appId, CancellationToken ct)
    {
        var lane = _lanes.GetOrAdd(appId, _ => new SemaphoreSlim(1, 1));
        await lane.WaitAsync(ct);
        return new Turn(lane);
    }

    /// <summary>A push starts: its hook will call back with the session's key.</summary>
    public PushSession Open(Guid appId, string appKey, Guid userId, string repository, string gitUrl, string? webUrl)
    {
        var session = new PushSession(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)), appId, appKey, userId, repository, gitUrl, webUrl);
        _sessions[session.Key] = session;
        return session;
    }

    public void Close(PushSession session) => _sessions.TryRemove(session.Key, out _);

    /// <summary>The push whose hook holds <paramref name="key"/>, for app <paramref name="appKey"/>; null otherwise.</summary>
    public PushSession? Find(string? key, string appKey) =>
        key is not null && _sessions.TryGetValue(key, out var session) && session.AppKey == appKey.ToLowerInvariant() ? session : null;

    /// <summary>
    /// Decides a push from what its pre-receive hook read (<c>objects DIR</c>, <c>alternates DIRS</c>,
    /// then one <c>old new ref</c> line per ref); <paramref name="say"/> reaches the pusher. Answers
    /// whether git may take the push.
    /// </summary>
    public async Task<bool> ReceiveAsync(PushSession session, IReadOnlyList<string> hookInput, Func<string, Task> say, CancellationToken ct)
    {
        var objects = new Dictionary<string, string>(StringComparer.Ordinal);
        var updates = new List<RefUpdate>();
        foreach (var line in hookInput)
        {
            var parts = line.Split(' ', 3);
            if (parts is ["objects" or "alternates", var dirs])
            {
                objects[parts[0]] = dirs;
            }
            else if (parts is [var old, var @new, var name] && old.Length == 40 && @new.Length == 40)
            {
                updates.Add(new RefUpdate(old, @new, name));
            }
        }

        if (!WithinRepository(session, objects))
        {
            await say("! The push could not be read.");
            return false;
        }

        var heads = await repositories.GitAsync(session.Repository, ["for-each-ref", "--format=%(refname)", "refs/heads/"], ct);
        var deploy = DeployRef(updates, heads);
        foreach (var other in updates.Where(u => u != deploy))
        {
            await say($"Note: {Short(other.Name)} is stored but not deployed; only {(deploy is null ? "main" : Short(deploy.Name))} deploys.");
        }

        if (deploy is null)
        {
            return true;
        }

        if (deploy.New == NoCommit)
        {
            await say($"! {Short(deploy.Name)} is the deploy branch and cannot be deleted.");
            return false;
        }

        // Pushes are received one at a time, so this look holds until git moves the ref: a push
        // made against what another push has since replaced is not built.
        var current = await repositories.GitAsync(session.Repository, ["for-each-ref", "--format=%(objectname)", deploy.Name], ct);
        if ((current.FirstOrDefault() ?? NoCommit) != deploy.Old)
        {
            await say($"! {Short(deploy.Name)} moved while you pushed (another push came first): fetch, then push again.");
            return false;
        }

        return await DeployAsync(session, deploy, GitObjects(objects), say, ct);
    }

    private async Task<bool> DeployAsync(PushSession session, RefUpdate deploy, Dictionary<string, string> env, Func<string, Task> say, CancellationToken ct)
    {
        Directory.CreateDirectory(paths.UploadsIncoming);
        var archive = Path.Combine(paths.UploadsIncoming, Guid.NewGuid().ToString("N") + ".push");
        CommitInfo commit;
        try
        {
            await repositories.GitAsync(session.Repository, ["archive", "--format=tar.gz", "-o", archive, deploy.New], ct, env);
            var described = await repositories.GitAsync(session.Repository, ["log", "-1", "--format=%an%x00%B", deploy.New], ct, env);
            var text = string.Join('\n', described).TrimEnd();
            var nul = text.IndexOf('\0', StringComparison.Ordinal);
            commit = new CommitInfo(deploy.New, nul > 0 ? text[..nul] : null, nul >= 0 ? text[(nul + 1)..].Trim() : null);
        }
        catch (GitException e)
        {
            BuildPaths.Remove(archive);
            await say($"! {deploy.New[..8]} could not be read: {e.Message}");
            return false;
        }

        var upload = SourceUpload.Create(session.UserId, clock.GetUtcNow(), buildOptions.Value.SourceRetention);
        try
        {
            upload.MarkUploaded(new FileInfo(archive).Length, "");
            File.Move(archive, paths.UploadOf(upload.Id));
            var source = new BuildSource(session.GitUrl, null, null, commit.Sha, commit.AuthorName, commit.Message, session.GitUrl, Short(deploy.Name), upload.Id);
            await using var scope = scopes.CreateAsyncScope();
            var builds = scope.ServiceProvider.GetRequiredService<BuildService>();
            var build = await builds.StartAsync(session.AppId, session.UserId, source, BuildDeploy.Deploy, _ => [upload], null, ct)
                ?? throw new InvalidOperationException("A new build met a unique key.");
            Log.PushBuilding(logger, build.Id, session.AppId, commit.Sha);

            var status = await builds.FollowOutputAsync(build.Id, 0, async (lines, token) =>
            {
                foreach (var line in lines)
                {
                    await say(line.Text);
                }
            }, ct);
            if (status != BuildStatus.Succeeded)
            {
                await using var db = await dbs.CreateDbContextAsync(ct);
                var reason = await db.Builds.Where(b => b.Id == build.Id).Select(b => b.FailureReason).FirstOrDefaultAsync(ct);
                await say($"! Build {build.ShortId} failed: {reason ?? "see its output above"}");
                return false;
            }

            return await AwaitReleaseAsync(session, build.Id, say, ct);
        }
        finally
        {
            BuildPaths.Remove(archive);
            BuildPaths.Remove(paths.UploadOf(upload.Id));
            await using var db = await dbs.CreateDbContextAsync(CancellationToken.None);
            await db.SourceUploads.Where(s => s.Id == upload.Id).ExecuteDeleteAsync(CancellationToken.None);
        }
    }

    /// <summary>Waits for the build's release to settle and says how it went; true when it serves.</summary>
    private async Task<bool> AwaitReleaseAsync(PushSession session, Guid buildId, Func<string, Task> say, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var releaseId = await db.Builds.Where(b => b.Id == buildId).Select(b => b.ReleaseId).FirstOrDefaultAsync(ct);
        if (releaseId is null)
        {
            await say("The build succeeded but was not released (the app's auto-release feature is off).");
            return true;
        }

        while (true)
        {
            var release = await db.Releases.AsNoTracking().Where(r => r.Id == releaseId).Select(r => new { r.Version, r.Status, r.FailureReason }).SingleAsync(ct);
            switch (release.Status)
            {
                case ReleaseStatus.Succeeded:
                    await say($"Released v{release.Version}");
                    if (session.WebUrl is { } url)
                    {
                        await say($"{url} deployed to Slipway");
                    }

                    return true;
                case ReleaseStatus.Failed:
                    await say($"! Release v{release.Version} failed: {release.FailureReason ?? "no reason given"}");
                    return false;
            }

            await Task.Delay(ReleasePoll, clock, ct);
        }
    }

    /// <summary>The ref that deploys: <c>main</c>, else <c>master</c> when the app has no <c>main</c>; null when the push has neither.</summary>
    private static RefUpdate? DeployRef(List<RefUpdate> updates, List<string> heads) =>
        updates.FirstOrDefault(u => u.Name == "refs/heads/main")
        ?? (heads.Contains("refs/heads/main") ? null : updates.FirstOrDefault(u => u.Name == "refs/heads/master"));

    /// <summary>The hook's object folders (the push's quarantine) are inside the app's repository, or the push is not read.</summary>
    private static bool WithinRepository(PushSession session, Dictionary<string, string> objects)
    {
        var root = Path.GetFullPath(session.Repository) + Path.DirectorySeparatorChar;
        return objects.Values.SelectMany(v => v.Split(':', StringSplitOptions.RemoveEmptyEntries))
            .All(dir => Path.GetFullPath(dir, session.Repository).StartsWith(root, StringComparison.Ordinal));
    }

    /// <summary>The environment that lets git read the pushed objects before they are taken.</summary>
    private static Dictionary<string, string> GitObjects(Dictionary<string, string> objects)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (objects.TryGetValue("objects", out var dir) && dir.Length > 0)
        {
            env["GIT_OBJECT_DIRECTORY"] = dir;
        }

        if (objects.TryGetValue("alternates", out var alternates) && alternates.Length > 0)
        {
            env["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = alternates;
        }

        return env;
    }

    private static string Short(string refName) => refName.StartsWith("refs/heads/", StringComparison.Ordinal) ? refName["refs/heads/".Length..] : refName;

    private sealed record RefUpdate(string Old, string New, string Name);

    private sealed class Turn(SemaphoreSlim lane) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                lane.Release();
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "git push build {BuildId} of app {AppId} started for commit {Commit}")]
        public static partial void PushBuilding(ILogger logger, Guid buildId, Guid appId, string commit);
    }
}
