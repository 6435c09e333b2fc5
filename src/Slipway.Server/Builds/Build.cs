using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Slipway.Server.Accounts;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Slugs;

namespace Slipway.Server.Builds;

public enum BuildStatus
{
    Pending,
    Succeeded,
    Failed,
}

/// <summary>What a succeeded build does next: nothing, or a release with this trigger.</summary>
public enum BuildDeploy
{
    None,
    Deploy,
    AutoDeploy,
}

/// <summary>Where a build's source comes from and what is known of its commit, as the request gave it.</summary>
public sealed record BuildSource(
    string Url,
    string? Checksum,
    string? Version,
    string? Commit,
    string? Author,
    string? Message,
    string? Repo,
    string? Branch,
    Guid? UploadId);

/// <summary>
/// One run of source → buildpack → slug (→ release). Pending until the engine decides; then
/// succeeded (with its slug, and its release when it deploys) or failed with a reason. Its output
/// is kept apart (<see cref="BuildLog"/>) once it ends; while it runs, the engine holds it in memory.
/// </summary>
public sealed class Build
{
    private Build()
    {
    }

    /// <summary>Random (not time-ordered): its first 8 hex digits name the build in release descriptions.</summary>
    public Guid Id { get; private set; }

    /// <summary>The first 8 hex digits of <see cref="Id"/>, as <c>Deploy 6d58b1ce</c> shows it; a build can be found by it.</summary>
    public string ShortId { get; private set; } = "";

    public Guid AppId { get; private set; }

    public BuildStatus Status { get; private set; }

    public string SourceUrl { get; private set; } = "";

    /// <summary>The <c>SHA256:&lt;hex&gt;</c> the request promised, if any.</summary>
    public string? SourceChecksum { get; private set; }

    /// <summary>The SHA-256 (lowercase hex) of the archive as fetched: the key of "same source, same slug".</summary>
    public string? SourceDigest { get; private set; }

    public string? SourceVersion { get; private set; }

    /// <summary>The upload (<c>POST /sources</c>) the source URL names, fetched locally instead of over HTTP.</summary>
    public Guid? SourceUploadId { get; private set; }

    public string? Commit { get; private set; }

    public string? Author { get; private set; }

    public string? Message { get; private set; }

    public string? Repo { get; private set; }

    public string? Branch { get; private set; }

    /// <summary>The buildpack's identity (<c>slipway/nodejs</c>, a git URL or a folder), once chosen.</summary>
    public string? BuildpackUrl { get; private set; }

    /// <summary>What the buildpack's <c>bin/detect</c> called the app (<c>Node.js</c>).</summary>
    public string? BuildpackName { get; private set; }

    /// <summary>
    /// The key of "same source, same slug": a SHA-256 (lowercase hex) over everything that can change the
    /// slug (the source digest, the buildpack's identity and content, the build-time config vars), set
    /// once the buildpack is chosen. Never shown: it is derived from config values.
    /// </summary>
    public string? ReuseKey { get; private set; }

    public Guid? SlugId { get; private set; }

    /// <summary>True when the slug came from an earlier build of the same source and buildpack.</summary>
    public bool SlugReused { get; private set; }

    public Guid? ReleaseId { get; private set; }

    public int? ReleaseVersion { get; private set; }

    public BuildDeploy Deploy { get; private set; }

    public string? FailureReason { get; private set; }

    /// <summary>Why a succeeded build that was meant to deploy made no release (an auto-deploy superseded by a newer commit).</summary>
    public string? Notes { get; private set; }

    /// <summary>
    /// The server (<see cref="Data.ServerIdentity"/>) that queued and runs this build. When that
    /// server's heartbeat lease lapses while the build is pending, the build is failed.
    /// </summary>
    public string? Server { get; private set; }

    /// <summary>A secret that lets <c>output_stream_url</c> work without a token, as Heroku's does.</summary>
    public string OutputKey { get; private set; } = "";

    public Guid UserId { get; private set; }

    public User User { get; private set; } = null!;

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public static Build Create(Guid appId, BuildSource source, BuildDeploy deploy, Guid userId, string server, DateTimeOffset now)
    {
        var id = Guid.NewGuid();
        return new Build
        {
            Id = id,
            ShortId = id.ToString("N")[..8],
            AppId = appId,
            Status = BuildStatus.Pending,
            SourceUrl = source.Url,
            SourceChecksum = source.Checksum,
            SourceVersion = source.Version,
            SourceUploadId = source.UploadId,
            Commit = source.Commit,
            Author = source.Author,
            Message = source.Message,
            Repo = source.Repo,
            Branch = source.Branch,
            Deploy = deploy,
            OutputKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            UserId = userId,
            Server = server,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    public void RecordSource(string digest, DateTimeOffset now)
    {
        EnsurePending();
        SourceDigest = digest;
        UpdatedAt = now;
    }

    public void RecordBuildpack(string url, string name, string reuseKey, DateTimeOffset now)
    {
        EnsurePending();
        BuildpackUrl = url;
        BuildpackName = name;
        ReuseKey = reuseKey;
        UpdatedAt = now;
    }

    public void RecordSlug(Guid slugId, bool reused, DateTimeOffset now)
    {
        EnsurePending();
        SlugId = slugId;
        SlugReused = reused;
        UpdatedAt = now;
    }

    public void MarkSucceeded(Guid? releaseId, int? releaseVersion, DateTimeOffset now, string? notes = null)
    {
        EnsurePending();
        if (SlugId is null)
        {
            throw new InvalidOperationException($"Build {Id} cannot succeed without a slug.");
        }

        Status = BuildStatus.Succeeded;
        ReleaseId = releaseId;
        ReleaseVersion = releaseVersion;
        Notes = notes;
        UpdatedAt = now;
    }

    /// <summary>Records the release that a later <c>POST /apps/{app}/releases {"slug": "&lt;build id&gt;"}</c> made of a succeeded build that had none.</summary>
    public void RecordRelease(Guid releaseId, int releaseVersion, DateTimeOffset now)
    {
        if (Status != BuildStatus.Succeeded || ReleaseId is not null)
        {
            throw new InvalidOperationException($"Build {Id} is {Status.ToString().ToLowerInvariant()}{(ReleaseId is null ? "" : " and released already")}.");
        }

        ReleaseId = releaseId;
        ReleaseVersion = releaseVersion;
        Notes = null;
        UpdatedAt = now;
    }

    /// <summary>Ends the build as failed. A failed build keeps no slug: nothing was released from it.</summary>
    public void MarkFailed(string reason, DateTimeOffset now)
    {
        EnsurePending();
        Status = BuildStatus.Failed;
        FailureReason = reason;
        SlugId = null;
        SlugReused = false;
        UpdatedAt = now;
    }

    private void EnsurePending()
    {
        if (Status != BuildStatus.Pending)
        {
            throw new InvalidOperationException($"Build {Id} is already {Status.ToString().ToLowerInvariant()}.");
        }
    }
}

internal sealed class BuildConfiguration : IEntityTypeConfiguration<Build>
{
    public void Configure(EntityTypeBuilder<Build> build)
    {
        build.Property(b => b.ShortId).HasMaxLength(8);
        build.Property(b => b.Status).HasConversion<string>().HasMaxLength(16);
        build.Property(b => b.Deploy).HasConversion<string>().HasMaxLength(16);
        build.Property(b => b.SourceUrl).HasMaxLength(2048);
        build.Property(b => b.SourceChecksum).HasMaxLength(71);
        build.Property(b => b.SourceDigest).HasMaxLength(64);
        build.Property(b => b.SourceVersion).HasMaxLength(256);
        build.Property(b => b.Commit).HasMaxLength(64);
        build.Property(b => b.Author).HasMaxLength(256);
        build.Property(b => b.Message).HasMaxLength(10_000);
        build.Property(b => b.Repo).HasMaxLength(2048);
        build.Property(b => b.Branch).HasMaxLength(256);
        build.Property(b => b.BuildpackUrl).HasMaxLength(2048);
        build.Property(b => b.BuildpackName).HasMaxLength(256);
        build.Property(b => b.FailureReason).HasMaxLength(4096);
        build.Property(b => b.Notes).HasMaxLength(1024);
        build.Property(b => b.OutputKey).HasMaxLength(32);
        build.HasIndex(b => new { b.AppId, b.CreatedAt });
        build.HasIndex(b => new { b.AppId, b.ShortId });
        build.Property(b => b.ReuseKey).HasMaxLength(64);
        build.HasIndex(b => new { b.AppId, b.SourceDigest });
        build.HasIndex(b => new { b.AppId, b.ReuseKey });
        build.HasIndex(b => b.Status);
        build.HasOne<App>().WithMany().HasForeignKey(b => b.AppId).OnDelete(DeleteBehavior.Cascade);
        build.HasOne<Slug>().WithMany().HasForeignKey(b => b.SlugId).OnDelete(DeleteBehavior.SetNull);
        build.HasOne(b => b.User).WithMany().HasForeignKey(b => b.UserId).OnDelete(DeleteBehavior.Restrict);
    }
}

/// <summary>A build's output as kept once the build ended; a row apart so that listing builds never reads it.</summary>
public sealed class BuildLog
{
    private BuildLog()
    {
    }

    public Guid BuildId { get; private set; }

    public List<OutputLine> Lines { get; private set; } = [];

    public static BuildLog Create(Guid buildId, IEnumerable<OutputLine> lines) => new() { BuildId = buildId, Lines = [.. lines] };
}

internal sealed class BuildLogConfiguration : IEntityTypeConfiguration<BuildLog>
{
    public void Configure(EntityTypeBuilder<BuildLog> log)
    {
        log.HasKey(l => l.BuildId);
        log.Property(l => l.Lines).HasJsonConversion(JsonColumn.ByItems<OutputLine>());
        log.HasOne<Build>().WithOne().HasForeignKey<BuildLog>(l => l.BuildId).OnDelete(DeleteBehavior.Cascade);
    }
}
