using Microsoft.EntityFrameworkCore;
using Slipway.Server.Accounts;
using Slipway.Server.Addons;
using Slipway.Server.Apps;
using Slipway.Server.AutoDeploy;
using Slipway.Server.Builds;
using Slipway.Server.Features;
using Slipway.Server.Hooks;
using Slipway.Server.Pipelines;
using Slipway.Server.Releases;
using Slipway.Server.Routing;
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

    public DbSet<Favorite> Favorites => Set<Favorite>();

    public DbSet<Slug> Slugs => Set<Slug>();

    public DbSet<Release> Releases => Set<Release>();

    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();

    /// <summary>Release statuses (Akkeris): the checks outside systems post on releases.</summary>
    public DbSet<StatusCheck> ReleaseStatuses => Set<StatusCheck>();

    /// <summary>The features an app has switched away from their default (<see cref="FeatureCatalog"/>).</summary>
    public DbSet<AppFeature> AppFeatures => Set<AppFeature>();

    public DbSet<Pipeline> Pipelines => Set<Pipeline>();

    public DbSet<PipelineCoupling> PipelineCouplings => Set<PipelineCoupling>();

    public DbSet<PipelinePromotion> PipelinePromotions => Set<PipelinePromotion>();

    public DbSet<WorkLease> WorkLeases => Set<WorkLease>();

    /// <summary>The web processes every server runs and where they answer (what other servers' routers forward to).</summary>
    public DbSet<ProcessRecord> ProcessRecords => Set<ProcessRecord>();

    public DbSet<Addon> Addons => Set<Addon>();

    public DbSet<AddonBroker> AddonBrokers => Set<AddonBroker>();

    public DbSet<RuntimeSettings> RuntimeSettings => Set<RuntimeSettings>();

    public DbSet<ReleasePhaseOutput> ReleasePhaseOutputs => Set<ReleasePhaseOutput>();

    public DbSet<Build> Builds => Set<Build>();

    public DbSet<BuildLog> BuildLogs => Set<BuildLog>();

    public DbSet<SourceUpload> SourceUploads => Set<SourceUpload>();

    public DbSet<AutoDeploySetting> AutoDeploySettings => Set<AutoDeploySetting>();

    public DbSet<AutoDeployCommit> AutoDeployCommits => Set<AutoDeployCommit>();

    public DbSet<AppHook> AppHooks => Set<AppHook>();

    /// <summary>The webhook outbox: events owed to hooks, written with the change that raised them.</summary>
    public DbSet<HookDelivery> HookDeliveries => Set<HookDelivery>();

    public DbSet<HookAttempt> HookAttempts => Set<HookAttempt>();

    /// <summary>Each entity's mapping lives beside it, in an <see cref="IEntityTypeConfiguration{TEntity}"/> of this assembly.</summary>
    protected override void OnModelCreating(ModelBuilder model) => model.ApplyConfigurationsFromAssembly(typeof(SlipwayDb).Assembly);
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
