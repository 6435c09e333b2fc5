using System.Text;
using Microsoft.Extensions.Options;
using Slipway.Server.Builds;
using Slipway.Server.Runtime;
using Slipway.Server.Sources;

namespace Slipway.Server.AutoDeploy;

/// <summary>How to read a repository: its URL and, for https, the user and token.</summary>
public sealed record GitCredentials(string Repo, string? Username, string? Token);

/// <summary>A commit as git describes it.</summary>
public sealed record CommitInfo(string Sha, string? AuthorName, string? Message);

/// <summary>A git command that failed; its message is git's own last words.</summary>
public sealed class GitException(string message) : Exception(message);

/// <summary>
/// The <c>git</c> command line, for polled repositories: the head of a branch
/// (<c>ls-remote</c>), and one commit as a tar.gz (a shallow fetch into a temporary folder,
/// then <c>git archive</c> of exactly that commit). Credentials go to git through its
/// environment, never its arguments; git never prompts. A remote on this machine or a private
/// network is refused, as for sources (<see cref="SourceReach.EnsureRemoteAllowedAsync"/>).
/// </summary>
public sealed class GitClient(ProcessLauncher launcher, IOptions<GitOptions> options, IOptions<BuildOptions> builds)
{
    /// <summary>The sha of <c>refs/heads/&lt;branch&gt;</c>, or null when the branch does not exist.</summary>
    public async Task<string?> HeadAsync(GitCredentials repo, string branch, CancellationToken ct)
    {
        await EnsureReachableAsync(repo, ct);
        var lines = await RunAsync(repo, Path.GetTempPath(), ["ls-remote", "--", repo.Repo, $"refs/heads/{branch}"], ct);
        var line = lines.FirstOrDefault(l => l.EndsWith($"\trefs/heads/{branch}", StringComparison.Ordinal));
        return line?.Split('\t')[0].ToLowerInvariant();
    }

    /// <summary>
    /// Writes <paramref name="sha"/> of the repository as a tar.gz to <paramref name="target"/>
    /// and answers its author and message. Works in a fresh folder under <paramref name="scratch"/>,
    /// removed whatever happens. When the host refuses to serve a commit by sha, fetches the branch
    /// and answers the commit it points at now (then newer than asked).
    /// </summary>
    public async Task<CommitInfo> ArchiveAsync(GitCredentials repo, string branch, string sha, string target, string scratch, CancellationToken ct)
    {
        await EnsureReachableAsync(repo, ct);
        var work = Path.Combine(scratch, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            await RunAsync(repo, work, ["init", "--quiet", "--bare", "."], ct);
            try
            {
                await RunAsync(repo, work, ["fetch", "--quiet", "--no-tags", "--depth", "1", "--", repo.Repo, sha], ct);
            }
            catch (GitException)
            {
                await RunAsync(repo, work, ["fetch", "--quiet", "--no-tags", "--depth", "1", "--", repo.Repo, $"refs/heads/{branch}"], ct);
            }

            var fetched = (await RunAsync(repo, work, ["rev-parse", "FETCH_HEAD"], ct)).FirstOrDefault()?.Trim().ToLowerInvariant()
                ?? throw new GitException("git fetch brought no commit.");
            await RunAsync(repo, work, ["archive", "--format=tar.gz", "-o", target, fetched], ct);
            var log = await RunAsync(repo, work, ["log", "-1", "--format=%an%x00%B", fetched], ct);
            var parts = string.Join('\n', log).Split('\0', 2);
            return new CommitInfo(fetched, Clean(parts[0]), parts.Length > 1 ? Clean(parts[1]) : null);
        }
        finally
        {
            BuildPaths.Remove(work);
        }
    }

    private async Task EnsureReachableAsync(GitCredentials repo, CancellationToken ct)
    {
        try
        {
            await SourceReach.EnsureRemoteAllowedAsync(repo.Repo, builds.Value.AllowPrivateSources, ct);
        }
        catch (SourceReachException e)
        {
            throw new GitException(e.Message);
        }
    }

    private async Task<List<string>> RunAsync(GitCredentials repo, string workingDirectory, string[] args, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.CommandTimeout);
        var errors = new List<string>();
        try
        {
            var (exit, stdout) = await launcher.CaptureAsync(new ProcessSpec("git", args, workingDirectory, Environment(repo, builds.Value.AllowPrivateSources)), line =>
            {
                lock (errors)
                {
                    errors.Add(line);
                }
            }, timeout.Token);
            if (exit != 0)
            {
                var last = errors.LastOrDefault(e => !string.IsNullOrWhiteSpace(e)) ?? $"exit code {exit}";
                throw new GitException($"git {args[0]} failed: {Redact(last, repo)}");
            }

            return stdout;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new GitException($"git {args[0]} took longer than {options.Value.CommandTimeout} (Slipway:Git:CommandTimeout).");
        }
    }

    /// <summary>
    /// The build environment plus git's own settings: no prompts, no system config, the token as an
    /// HTTP header; for a remote while private sources are refused, network protocols only and no redirects.
    /// </summary>
    private static Dictionary<string, string> Environment(GitCredentials repo, bool allowPrivate)
    {
        var env = ProcessLauncher.ToolEnvironment();
        env["GIT_TERMINAL_PROMPT"] = "0";
        env["GIT_CONFIG_NOSYSTEM"] = "1";
        env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes";
        var config = new List<(string, string)> { ("advice.detachedHead", "false") };
        if (repo.Token is { Length: > 0 } token)
        {
            var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{repo.Username ?? "x-access-token"}:{token}"));
            config.Add(("http.extraHeader", $"Authorization: Basic {basic}"));
        }

        if (!allowPrivate && !SourceReach.IsLocalPath(repo.Repo))
        {
            env["GIT_ALLOW_PROTOCOL"] = SourceReach.NetworkProtocolsOnly;
            config.Add(("http.followRedirects", "false"));
        }

        env["GIT_CONFIG_COUNT"] = config.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < config.Count; i++)
        {
            env[$"GIT_CONFIG_KEY_{i}"] = config[i].Item1;
            env[$"GIT_CONFIG_VALUE_{i}"] = config[i].Item2;
        }

        return env;
    }

    private static string Redact(string text, GitCredentials repo) =>
        repo.Token is { Length: > 0 } token ? text.Replace(token, "***", StringComparison.Ordinal) : text;

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
