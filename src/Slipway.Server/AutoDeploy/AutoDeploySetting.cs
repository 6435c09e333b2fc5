using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Slipway.Server.Accounts;
using Slipway.Server.Apps;
using Slipway.Server.Builds;

namespace Slipway.Server.AutoDeploy;

/// <summary>How pushes reach Slipway: GitHub sends webhooks; any other git host is polled.</summary>
public enum RepoKind
{
    GitHub,
    Git,
}

/// <summary>
/// What one app watches: a branch of a repository, with the credentials to read it (the token
/// and the webhook secret are kept encrypted), and the newest head seen on it. One per app.
/// </summary>
public sealed class AutoDeploySetting
{
    private AutoDeploySetting()
    {
    }

    public Guid AppId { get; private set; }

    public string Repo { get; private set; } = "";

    public RepoKind Kind { get; private set; }

    /// <summary>For GitHub, <c>owner/name</c> (lowercase): how the all-apps webhook finds the app.</summary>
    public string? RepoFullName { get; private set; }

    public string Branch { get; private set; } = "main";

    public string? Username { get; private set; }

    /// <summary>The token, encrypted with Data Protection; never shown again.</summary>
    public string? ProtectedToken { get; private set; }

    /// <summary>The webhook secret, encrypted with Data Protection; shown once, when set.</summary>
    public string ProtectedWebhookSecret { get; private set; } = "";

    public bool Deploy { get; private set; }

    public string? LastCommit { get; private set; }

    public DateTimeOffset? LastCommitAt { get; private set; }

    public Guid UserId { get; private set; }

    public User User { get; private set; } = null!;

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public static AutoDeploySetting Create(Guid appId, Guid userId, DateTimeOffset now) => new()
    {
        AppId = appId,
        UserId = userId,
        CreatedAt = now,
        UpdatedAt = now,
    };

    /// <summary>Points the setting at a repository; the head seen so far starts over at <paramref name="head"/>.</summary>
    public void Watch(RepoRef repo, string branch, string? username, string? protectedToken, string protectedSecret, bool deploy, string? head, Guid userId, DateTimeOffset now)
    {
        Repo = repo.Url;
        Kind = repo.Kind;
        RepoFullName = repo.FullName;
        Branch = branch;
        Username = username;
        ProtectedToken = protectedToken;
        ProtectedWebhookSecret = protectedSecret;
        Deploy = deploy;
        LastCommit = head;
        LastCommitAt = head is null ? null : now;
        UserId = userId;
        UpdatedAt = now;
    }

    public void SawCommit(string commit, DateTimeOffset now)
    {
        LastCommit = commit;
        LastCommitAt = now;
        UpdatedAt = now;
    }
}

internal sealed class AutoDeploySettingConfiguration : IEntityTypeConfiguration<AutoDeploySetting>
{
    public void Configure(EntityTypeBuilder<AutoDeploySetting> setting)
    {
        setting.HasKey(s => s.AppId);
        setting.Property(s => s.Repo).HasMaxLength(RepoRef.MaxLength);
        setting.Property(s => s.Kind).HasConversion<string>().HasMaxLength(16);
        setting.Property(s => s.RepoFullName).HasMaxLength(256);
        setting.Property(s => s.Branch).HasMaxLength(256);
        setting.Property(s => s.Username).HasMaxLength(256);
        setting.Property(s => s.LastCommit).HasMaxLength(64);
        setting.HasIndex(s => s.RepoFullName);
        setting.HasIndex(s => s.Kind);
        setting.HasOne<App>().WithMany().HasForeignKey(s => s.AppId).OnDelete(DeleteBehavior.Cascade);
        setting.HasOne(s => s.User).WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Restrict);
    }
}

/// <summary>A commit auto-deploy has built for an app: the unique (app, commit) key makes it one build per commit, whoever saw it first.</summary>
public sealed class AutoDeployCommit
{
    private AutoDeployCommit()
    {
    }

    public Guid AppId { get; private set; }

    public string Commit { get; private set; } = "";

    public Guid BuildId { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public static AutoDeployCommit Create(Guid appId, string commit, Guid buildId, DateTimeOffset now) => new()
    {
        AppId = appId,
        Commit = commit,
        BuildId = buildId,
        CreatedAt = now,
    };
}

internal sealed class AutoDeployCommitConfiguration : IEntityTypeConfiguration<AutoDeployCommit>
{
    public void Configure(EntityTypeBuilder<AutoDeployCommit> commit)
    {
        // One build per (app, commit), whether the webhook or the poller saw the commit first.
        commit.HasKey(c => new { c.AppId, c.Commit });
        commit.Property(c => c.Commit).HasMaxLength(64);
        commit.HasIndex(c => new { c.AppId, c.CreatedAt });
        commit.HasOne<App>().WithMany().HasForeignKey(c => c.AppId).OnDelete(DeleteBehavior.Cascade);
        commit.HasOne<Build>().WithMany().HasForeignKey(c => c.BuildId).OnDelete(DeleteBehavior.Cascade);
    }
}
