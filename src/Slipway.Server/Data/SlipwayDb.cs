using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Slipway.Server.Accounts;
using Slipway.Server.Addons;
using Slipway.Server.Apps;
using Slipway.Server.AutoDeploy;
using Slipway.Server.Builds;
using Slipway.Server.Releases;
using Slipway.Server.Runtime;
using Slipway.Server.Slugs;
using Slipway.Server.Sources;
using Slipway.Server.Spaces;

namespace Slipway.Server.Data;

/// <summary>
/// The platform's state. Each provider has its own subclass so that each keeps its own
/// migrations (<see cref="SqliteSlipwayDb"/>, <see cref="PostgresSlipwayDb"/>); the model is this one.
/// </summary>
public abstract class SlipwayDb(DbContextOptions options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();

    public DbSet<ApiToken> Tokens => Set<ApiToken>();

    public DbSet<Space> Spaces => Set<Space>();

    public DbSet<SpaceMember> SpaceMembers => Set<SpaceMember>();

    public DbSet<App> Apps => Set<App>();

    public DbSet<Slug> Slugs => Set<Slug>();

    public DbSet<Release> Releases => Set<Release>();

    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();

    public DbSet<WorkLease> WorkLeases => Set<WorkLease>();

    public DbSet<Addon> Addons => Set<Addon>();

    public DbSet<AddonBroker> AddonBrokers => Set<AddonBroker>();

    public DbSet<RuntimeSettings> RuntimeSettings => Set<RuntimeSettings>();

    public DbSet<ReleasePhaseOutput> ReleasePhaseOutputs => Set<ReleasePhaseOutput>();

    public DbSet<Build> Builds => Set<Build>();

    public DbSet<BuildLog> BuildLogs => Set<BuildLog>();

    public DbSet<SourceUpload> SourceUploads => Set<SourceUpload>();

    public DbSet<AutoDeploySetting> AutoDeploySettings => Set<AutoDeploySetting>();

    public DbSet<AutoDeployCommit> AutoDeployCommits => Set<AutoDeployCommit>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<User>(e =>
        {
            e.Property(u => u.Email).HasMaxLength(320);
            e.HasIndex(u => u.Email).IsUnique();
        });

        model.Entity<ApiToken>(e =>
        {
            e.Property(t => t.Hash).HasMaxLength(64);
            e.HasIndex(t => t.Hash).IsUnique();
            e.HasOne(t => t.User).WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<Space>(e =>
        {
            e.Property(s => s.Name).HasMaxLength(63);
            e.HasIndex(s => s.Name).IsUnique();
            e.HasMany(s => s.Members).WithOne().HasForeignKey(m => m.SpaceId).OnDelete(DeleteBehavior.Cascade);
            e.Navigation(s => s.Members).UsePropertyAccessMode(PropertyAccessMode.Field);
        });

        model.Entity<SpaceMember>(e =>
        {
            e.HasKey(m => new { m.SpaceId, m.UserId });
            e.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<App>(e =>
        {
            e.Property(a => a.Name).HasMaxLength(63);
            e.Property(a => a.Key).HasMaxLength(127);
            e.HasIndex(a => a.Key).IsUnique();
            e.HasOne(a => a.Space).WithMany().HasForeignKey(a => a.SpaceId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<Slug>(e =>
        {
            e.Property(s => s.Checksum).HasMaxLength(71);
            e.Property(s => s.ProcessTypes).HasConversion(JsonConverter<Dictionary<string, string>>(), DictionaryComparer());
            e.HasIndex(s => s.AppId);
            e.HasOne<App>().WithMany().HasForeignKey(s => s.AppId).OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<Release>(e =>
        {
            e.HasIndex(r => new { r.AppId, r.Version }).IsUnique();
            e.Property(r => r.ConfigVars).HasConversion(JsonConverter<Dictionary<string, string>>(), DictionaryComparer());
            e.Property(r => r.Addons).HasConversion(JsonConverter<List<AddonAttachment>>(), JsonComparer<List<AddonAttachment>>());
            e.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(r => r.Trigger).HasConversion<string>().HasMaxLength(16);
            e.Property(r => r.Description).HasMaxLength(1024);
            e.HasOne<App>().WithMany().HasForeignKey(r => r.AppId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(r => r.Slug).WithMany().HasForeignKey(r => r.SlugId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(r => r.User).WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(r => r.Build).WithMany().HasForeignKey(r => r.BuildId).OnDelete(DeleteBehavior.SetNull);
        });

        ConfigureBuilds(model);
        ConfigureAutoDeploy(model);

        model.Entity<WorkLease>(e =>
        {
            e.HasKey(l => l.Scope);
            e.Property(l => l.Scope).HasMaxLength(200);
            e.Property(l => l.Holder).HasMaxLength(200);
        });

        model.Entity<IdempotencyRecord>(e =>
        {
            e.Property(r => r.Key).HasMaxLength(255);
            e.HasIndex(r => new { r.UserId, r.AppId, r.Key }).IsUnique();
            e.HasOne<App>().WithMany().HasForeignKey(r => r.AppId).OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<Addon>(e =>
        {
            e.Property(a => a.Name).HasMaxLength(63);
            e.HasIndex(a => new { a.AppId, a.Name }).IsUnique();
            e.HasIndex(a => a.State);
            e.Property(a => a.BrokerName).HasMaxLength(63);
            e.Property(a => a.ServiceId).HasMaxLength(255);
            e.Property(a => a.ServiceName).HasMaxLength(255);
            e.Property(a => a.PlanId).HasMaxLength(255);
            e.Property(a => a.PlanName).HasMaxLength(255);
            e.Property(a => a.State).HasConversion<string>().HasMaxLength(32);
            e.Property(a => a.StateMessage).HasMaxLength(4096);
            e.Property(a => a.Operation).HasMaxLength(10000);
            e.Property(a => a.ConfigVars).HasConversion(JsonConverter<Dictionary<string, string>>(), DictionaryComparer());
            e.Ignore(a => a.PlanFullName);

            // Restrict: an app with add-ons is not destroyed before they are (their instances live at brokers).
            e.HasOne<App>().WithMany().HasForeignKey(a => a.AppId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<AddonBroker>(e =>
        {
            e.HasKey(b => b.Name);
            e.Property(b => b.Name).HasMaxLength(63);
            e.Property(b => b.Url).HasMaxLength(2048);
        });

        model.Entity<RuntimeSettings>(e =>
        {
            e.HasKey(s => s.AppId);
            e.Property(s => s.Quantities).HasConversion(JsonConverter<Dictionary<string, int>>(), QuantitiesComparer());
            e.Property(s => s.HealthCheckPath).HasMaxLength(Runtime.RuntimeSettings.MaxHealthCheckPathLength);
            e.HasOne<App>().WithMany().HasForeignKey(s => s.AppId).OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<ReleasePhaseOutput>(e =>
        {
            e.HasKey(o => o.ReleaseId);
            e.HasOne<Release>().WithOne().HasForeignKey<ReleasePhaseOutput>(o => o.ReleaseId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    private static void ConfigureBuilds(ModelBuilder model)
    {
        model.Entity<Build>(e =>
        {
            e.Property(b => b.ShortId).HasMaxLength(8);
            e.Property(b => b.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(b => b.Deploy).HasConversion<string>().HasMaxLength(16);
            e.Property(b => b.SourceUrl).HasMaxLength(2048);
            e.Property(b => b.SourceChecksum).HasMaxLength(71);
            e.Property(b => b.SourceDigest).HasMaxLength(64);
            e.Property(b => b.SourceVersion).HasMaxLength(256);
            e.Property(b => b.Commit).HasMaxLength(64);
            e.Property(b => b.Author).HasMaxLength(256);
            e.Property(b => b.Message).HasMaxLength(10_000);
            e.Property(b => b.Repo).HasMaxLength(2048);
            e.Property(b => b.Branch).HasMaxLength(256);
            e.Property(b => b.BuildpackUrl).HasMaxLength(2048);
            e.Property(b => b.BuildpackName).HasMaxLength(256);
            e.Property(b => b.FailureReason).HasMaxLength(4096);
            e.Property(b => b.Notes).HasMaxLength(1024);
            e.Property(b => b.OutputKey).HasMaxLength(32);
            e.HasIndex(b => new { b.AppId, b.CreatedAt });
            e.HasIndex(b => new { b.AppId, b.ShortId });
            e.HasIndex(b => new { b.AppId, b.SourceDigest });
            e.HasIndex(b => b.Status);
            e.HasOne<App>().WithMany().HasForeignKey(b => b.AppId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Slug>().WithMany().HasForeignKey(b => b.SlugId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne(b => b.User).WithMany().HasForeignKey(b => b.UserId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<BuildLog>(e =>
        {
            e.HasKey(l => l.BuildId);
            e.Property(l => l.Lines).HasConversion(JsonConverter<List<OutputLine>>(), new ValueComparer<List<OutputLine>>(
                (a, b) => a != null && b != null && a.SequenceEqual(b),
                l => l.Count,
                l => l.ToList()));
            e.HasOne<Build>().WithOne().HasForeignKey<BuildLog>(l => l.BuildId).OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<SourceUpload>(e =>
        {
            e.Property(s => s.Checksum).HasMaxLength(71);
            e.HasIndex(s => s.ExpiresAt);
            e.HasOne<User>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    private static void ConfigureAutoDeploy(ModelBuilder model)
    {
        model.Entity<AutoDeploySetting>(e =>
        {
            e.HasKey(s => s.AppId);
            e.Property(s => s.Repo).HasMaxLength(RepoRef.MaxLength);
            e.Property(s => s.Kind).HasConversion<string>().HasMaxLength(16);
            e.Property(s => s.RepoFullName).HasMaxLength(256);
            e.Property(s => s.Branch).HasMaxLength(256);
            e.Property(s => s.Username).HasMaxLength(256);
            e.Property(s => s.LastCommit).HasMaxLength(64);
            e.HasIndex(s => s.RepoFullName);
            e.HasIndex(s => s.Kind);
            e.HasOne<App>().WithMany().HasForeignKey(s => s.AppId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(s => s.User).WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<AutoDeployCommit>(e =>
        {
            // One build per (app, commit), whether the webhook or the poller saw the commit first.
            e.HasKey(c => new { c.AppId, c.Commit });
            e.Property(c => c.Commit).HasMaxLength(64);
            e.HasIndex(c => new { c.AppId, c.CreatedAt });
            e.HasOne<App>().WithMany().HasForeignKey(c => c.AppId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Build>().WithMany().HasForeignKey(c => c.BuildId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    private static Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<T, string> JsonConverter<T>()
        where T : new() => new(
            v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default),
            s => string.IsNullOrEmpty(s) ? new T() : JsonSerializer.Deserialize<T>(s, JsonSerializerOptions.Default) ?? new T());

    /// <summary>Compares snapshots by their JSON; they are written once and never changed in place.</summary>
    private static ValueComparer<T> JsonComparer<T>()
        where T : new() => new(
        (a, b) => JsonSerializer.Serialize(a, JsonSerializerOptions.Default) == JsonSerializer.Serialize(b, JsonSerializerOptions.Default),
        v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default).GetHashCode(StringComparison.Ordinal),
        v => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(v, JsonSerializerOptions.Default), JsonSerializerOptions.Default) ?? new T());

    private static ValueComparer<Dictionary<string, int>> QuantitiesComparer() => new(
        (a, b) => a != null && b != null && a.Count == b.Count && !a.Except(b).Any(),
        d => d.Aggregate(0, (hash, kv) => HashCode.Combine(hash, kv.Key, kv.Value)),
        d => new Dictionary<string, int>(d, StringComparer.Ordinal));

    private static ValueComparer<Dictionary<string, string>> DictionaryComparer() => new(
        (a, b) => a != null && b != null && a.Count == b.Count && !a.Except(b).Any(),
        d => d.Aggregate(0, (hash, kv) => HashCode.Combine(hash, kv.Key, kv.Value)),
        d => new Dictionary<string, string>(d, StringComparer.Ordinal));
}

/// <summary>The embedded default: one SQLite file in WAL mode under the data folder.</summary>
public sealed class SqliteSlipwayDb(DbContextOptions<SqliteSlipwayDb> options) : SlipwayDb(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configuration)
    {
        // SQLite has no native time type; storing UTC ticks keeps times orderable in queries.
        configuration.Properties<DateTimeOffset>().HaveConversion<Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter>();
    }
}

/// <summary>The scale-out store: several Slipway servers may share one PostgreSQL database.</summary>
public sealed class PostgresSlipwayDb(DbContextOptions<PostgresSlipwayDb> options) : SlipwayDb(options);
