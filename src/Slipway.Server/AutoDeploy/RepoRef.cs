using System.Text.RegularExpressions;
using Slipway.Server.Sources;

namespace Slipway.Server.AutoDeploy;

/// <summary>A watched repository as given, what kind it is, and for GitHub its <c>owner/name</c>.</summary>
public sealed partial record RepoRef(string Url, RepoKind Kind, string? FullName)
{
    public const int MaxLength = 2048;

    /// <summary>A repository on the server's own disk (a path or <c>file://</c>), which only admins may watch.</summary>
    public bool IsLocal => SourceReach.IsLocalPath(Url);

    /// <summary>
    /// Reads a repository URL: <c>https://</c>, <c>http://</c>, <c>ssh://</c>, <c>git://</c>,
    /// <c>file://</c>, scp-like <c>git@host:path</c>, or an absolute local path. Nothing that
    /// git could take for an option, and no whitespace. Null when it is none of those.
    /// </summary>
    public static RepoRef? Parse(string? url, string githubHost)
    {
        url = url?.Trim();
        if (string.IsNullOrEmpty(url) || url.Length > MaxLength || url.StartsWith('-') || url.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return null;
        }

        if (url.StartsWith('/'))
        {
            return new RepoRef(url, RepoKind.Git, null);
        }

        if (SourceReach.ScpLike().Match(url) is { Success: true } scp)
        {
            var github = string.Equals(scp.Groups["host"].Value, githubHost, StringComparison.OrdinalIgnoreCase) ? GitHub(url, scp.Groups["path"].Value) : null;
            return github ?? new RepoRef(url, RepoKind.Git, null);
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http" or "ssh" or "git" or "file"))
        {
            return null;
        }

        if (uri.Scheme is "https" or "http" && string.Equals(uri.Host, githubHost, StringComparison.OrdinalIgnoreCase))
        {
            return GitHub(url, uri.AbsolutePath);
        }

        return new RepoRef(url, RepoKind.Git, null);
    }

    /// <summary>The branch name git accepts as <c>refs/heads/&lt;branch&gt;</c>, kept to a safe subset.</summary>
    public static bool IsBranch(string branch) =>
        branch.Length is > 0 and <= 255 && BranchPattern().IsMatch(branch) && !branch.Contains("..", StringComparison.Ordinal)
        && !branch.EndsWith('/') && !branch.EndsWith(".lock", StringComparison.Ordinal) && !branch.Contains("//", StringComparison.Ordinal);

    private static RepoRef? GitHub(string url, string path)
    {
        var match = GitHubPath().Match(path);
        return match.Success ? new RepoRef(url, RepoKind.GitHub, $"{match.Groups[1].Value}/{match.Groups[2].Value}".ToLowerInvariant()) : null;
    }

    [GeneratedRegex("^/?([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\\.git)?/?$")]
    private static partial Regex GitHubPath();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9._/-]*$")]
    private static partial Regex BranchPattern();
}
