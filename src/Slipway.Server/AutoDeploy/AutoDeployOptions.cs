using System.ComponentModel.DataAnnotations;

namespace Slipway.Server.AutoDeploy;

/// <summary>The <c>Slipway:AutoDeploy</c> section: how pushes to watched branches wait for their builds.</summary>
public sealed class AutoDeployOptions
{
    public const string Section = "Slipway:AutoDeploy";

    /// <summary>How many apps' pushes are fetched and built at once; one app's pushes always go one at a time, in order.</summary>
    [Range(1, 1024)]
    public int Concurrency { get; set; } = 16;

    /// <summary>How many pushes may wait; a push beyond that is not built (the webhook's answer says so, the poller logs it).</summary>
    [Range(1, 1_000_000)]
    public int QueueLimit { get; set; } = 10_000;
}

/// <summary>The <c>Slipway:Git</c> section: how watched repositories on hosts other than GitHub are polled.</summary>
public sealed class GitOptions
{
    public const string Section = "Slipway:Git";

    /// <summary>Seconds between two <c>git ls-remote</c> of each watched repository.</summary>
    [Range(0.1, 86_400)]
    public double PollSeconds { get; set; } = 60;

    /// <summary>The longest one git command (ls-remote, fetch, archive) may take.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The largest <c>git push</c> to an app's remote (its pack, in bytes).</summary>
    [Range(1024, long.MaxValue)]
    public long MaxPushBytes { get; set; } = 512L * 1024 * 1024;
}

/// <summary>The <c>Slipway:GitHub</c> section: where the GitHub API is (GitHub Enterprise: <c>https://host/api/v3</c>).</summary>
public sealed class GitHubOptions
{
    public const string Section = "Slipway:GitHub";

    [Required]
    [Url]
    public string ApiUrl { get; set; } = "https://api.github.com";

    /// <summary>The host of repository URLs that are GitHub's (<c>https://github.com/owner/name</c>): those get webhooks, not polling.</summary>
    [Required]
    public string Host { get; set; } = "github.com";
}
