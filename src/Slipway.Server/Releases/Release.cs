using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Slipway.Server.Accounts;
using Slipway.Server.Addons;
using Slipway.Server.Apps;
using Slipway.Server.Builds;
using Slipway.Server.Data;
using Slipway.Server.Slugs;

namespace Slipway.Server.Releases;

public enum ReleaseStatus
{
    Pending,
    Succeeded,
    Failed,
}

public enum ReleaseTrigger
{
    Deploy,
    AutoDeploy,
    Config,
    Addon,
    Rollback,
    Promotion,
}

/// <summary>
/// One immutable, numbered state of an app: a slug plus a snapshot of config. Only the status
/// moves after creation, and only forward: pending, then succeeded or failed.
/// </summary>
public sealed class Release
{
    private Release()
    {
    }

    public Guid Id { get; private set; }

    public Guid AppId { get; private set; }

    public int Version { get; private set; }

    public Guid? SlugId { get; private set; }

    public Slug? Slug { get; private set; }

    /// <summary>The user's config vars as they were for this release (add-on vars are kept apart).</summary>
    public Dictionary<string, string> ConfigVars { get; private set; } = [];

    /// <summary>The add-ons attached in this release, with the config vars each gave it (see <see cref="ReleaseEnvironment"/>).</summary>
    public List<AddonAttachment> Addons { get; private set; } = [];

    public string Description { get; private set; } = "";

    public ReleaseTrigger Trigger { get; private set; }

    /// <summary>For a rollback, the version whose slug and config it restored.</summary>
    public int? RollbackOf { get; private set; }

    /// <summary>The build this release deployed, if it came from one: its commit, author and message describe the release.</summary>
    public Guid? BuildId { get; private set; }

    public Build? Build { get; private set; }

    public Guid UserId { get; private set; }

    public User User { get; private set; } = null!;

    public ReleaseStatus Status { get; private set; }

    public string? FailureReason { get; private set; }

    /// <summary>
    /// For a failed release, the last lines (at most 20, 8 KiB) that the process which failed printed,
    /// or the end of its release phase's output: what says why, next to <see cref="FailureReason"/>.
    /// </summary>
    public string? FailureLog { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public static Release Create(Guid appId, int version, ReleaseDraft draft, Guid userId, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        AppId = appId,
        Version = version,
        SlugId = draft.SlugId,
        ConfigVars = new Dictionary<string, string>(draft.ConfigVars, StringComparer.Ordinal),
        Addons = [.. draft.Addons ?? []],
        Description = draft.Description,
        Trigger = draft.Trigger,
        RollbackOf = draft.RollbackOf,
        BuildId = draft.BuildId,
        UserId = userId,
        Status = ReleaseStatus.Pending,
        CreatedAt = now,
        UpdatedAt = now,
    };

    public void MarkSucceeded(DateTimeOffset now)
    {
        EnsurePending();
        Status = ReleaseStatus.Succeeded;
        UpdatedAt = now;
    }

    public void MarkFailed(string reason, DateTimeOffset now, string? log = null)
    {
        EnsurePending();
        Status = ReleaseStatus.Failed;
        FailureReason = reason;
        FailureLog = log;
        UpdatedAt = now;
    }

    private void EnsurePending()
    {
        if (Status != ReleaseStatus.Pending)
        {
            throw new InvalidOperationException($"Release v{Version} is already {Status.ToString().ToLowerInvariant()}.");
        }
    }
}

internal sealed class ReleaseConfiguration : IEntityTypeConfiguration<Release>
{
    public void Configure(EntityTypeBuilder<Release> release)
    {
        release.HasIndex(r => new { r.AppId, r.Version }).IsUnique();
        release.Property(r => r.ConfigVars).HasJsonConversion(JsonColumn.ByEntries<string>());
        release.Property(r => r.Addons).HasJsonConversion(JsonColumn.ByJson<List<AddonAttachment>>());
        release.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        release.Property(r => r.Trigger).HasConversion<string>().HasMaxLength(16);
        release.Property(r => r.Description).HasMaxLength(1024);
        release.Property(r => r.FailureLog).HasMaxLength(Runtime.FailureLog.MaxChars);
        release.HasOne<App>().WithMany().HasForeignKey(r => r.AppId).OnDelete(DeleteBehavior.Cascade);
        release.HasOne(r => r.Slug).WithMany().HasForeignKey(r => r.SlugId).OnDelete(DeleteBehavior.Restrict);
        release.HasOne(r => r.User).WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Restrict);
        release.HasOne(r => r.Build).WithMany().HasForeignKey(r => r.BuildId).OnDelete(DeleteBehavior.SetNull);
    }
}

/// <summary>
/// What a change wants the next release to be, before it has a version. <see cref="Addons"/>
/// null (every change but attaching or detaching one) means "the add-ons attached now".
/// </summary>
public sealed record ReleaseDraft(
    Guid? SlugId,
    IReadOnlyDictionary<string, string> ConfigVars,
    string Description,
    ReleaseTrigger Trigger,
    int? RollbackOf = null,
    IReadOnlyList<AddonAttachment>? Addons = null,
    Guid? BuildId = null)
{
    /// <summary>
    /// The draft on the add-ons <paramref name="attached"/> now: a user var that one of them sets
    /// (only a rollback to a release older than the add-on can bring one) gives way to the add-on's.
    /// </summary>
    public ReleaseDraft OnAddons(IReadOnlyList<AddonAttachment> attached) => this with
    {
        ConfigVars = ConfigVars
            .Where(kv => !attached.Any(a => a.ConfigVars.ContainsKey(kv.Key)))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
        Addons = attached,
    };
}
