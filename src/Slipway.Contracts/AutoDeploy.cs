namespace Slipway.Contracts;

/// <summary>
/// Akkeris's <c>POST /apps/{app}/builds/auto</c>: watch <see cref="Branch"/> (default <c>main</c>)
/// of <see cref="Repo"/>. <see cref="Token"/> is stored encrypted and never shown again;
/// <see cref="AutoDeploy"/> (default true) makes each succeeded build a release.
/// </summary>
public sealed record SetAutoDeployRequest(string? Repo, string? Branch, string? Username, string? Token, bool? AutoDeploy);

/// <summary>The newest build auto-deploy started: its commit and how it ended.</summary>
public sealed record AutoDeployBuild(Guid Id, string Status, string? Commit, ReleaseRef? Release, string? Notes, string? FailureReason);

/// <summary>
/// What an app watches. <see cref="Kind"/> is <c>github</c> (pushes arrive as webhooks at
/// <see cref="WebhookUrl"/>) or <c>git</c> (polled). <see cref="WebhookSecret"/> is only in the
/// answer to the <c>POST</c> that made it. <see cref="LastCommit"/> is the newest head seen.
/// </summary>
public sealed record AutoDeployResponse(
    NamedRef App,
    string Repo,
    string Branch,
    string? Username,
    bool TokenSet,
    bool AutoDeploy,
    string Kind,
    string WebhookUrl,
    string? WebhookSecret,
    string? LastCommit,
    DateTimeOffset? LastCommitAt,
    AutoDeployBuild? LastBuild,
    UserRef User,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>What a webhook delivery did: <c>pong</c>, <c>queued</c> (a build follows) or <c>ignored</c>, and why.</summary>
public sealed record WebhookResponse(string Result, string Message, IReadOnlyList<string> Apps);
