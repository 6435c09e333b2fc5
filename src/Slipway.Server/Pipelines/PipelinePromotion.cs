using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Slipway.Server.Accounts;
using Slipway.Server.Data;

namespace Slipway.Server.Pipelines;

/// <summary>One target of a promotion: the app (its key then) and the release made on it.</summary>
public sealed record PromotionTarget(Guid AppId, string AppKey, Guid ReleaseId, int Version);

/// <summary>
/// A record of one promotion: which release of which app went where. The releases themselves are
/// ordinary releases of the targets; their statuses make the promotion's. Apps are named by id and
/// by their key then, so the record still reads after an app is gone; it goes with the pipeline.
/// </summary>
public sealed class PipelinePromotion
{
    private PipelinePromotion()
    {
    }

    public Guid Id { get; private set; }

    public Guid PipelineId { get; private set; }

    public Pipeline Pipeline { get; private set; } = null!;

    public Guid SourceAppId { get; private set; }

    public string SourceAppKey { get; private set; } = "";

    public Guid SourceReleaseId { get; private set; }

    public int SourceVersion { get; private set; }

    public List<PromotionTarget> Targets { get; private set; } = [];

    public bool Safe { get; private set; }

    public Guid UserId { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public static PipelinePromotion Create(Pipeline pipeline, Guid sourceAppId, string sourceAppKey, Guid sourceReleaseId, int sourceVersion, bool safe, Guid userId, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        PipelineId = pipeline.Id,
        Pipeline = pipeline,
        SourceAppId = sourceAppId,
        SourceAppKey = sourceAppKey,
        SourceReleaseId = sourceReleaseId,
        SourceVersion = sourceVersion,
        Safe = safe,
        UserId = userId,
        CreatedAt = now,
    };

    public void Add(PromotionTarget target) => Targets.Add(target);
}

internal sealed class PipelinePromotionConfiguration : IEntityTypeConfiguration<PipelinePromotion>
{
    public void Configure(EntityTypeBuilder<PipelinePromotion> promotion)
    {
        promotion.Property(p => p.SourceAppKey).HasMaxLength(127);
        promotion.Property(p => p.Targets).HasJsonConversion(JsonColumn.ByJson<List<PromotionTarget>>());
        promotion.HasIndex(p => p.PipelineId);
        promotion.HasOne(p => p.Pipeline).WithMany().HasForeignKey(p => p.PipelineId).OnDelete(DeleteBehavior.Cascade);
        promotion.HasOne<User>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Restrict);
    }
}
