using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Slipway.Server.Apps;
using Slipway.Server.Data;

namespace Slipway.Server.Pipelines;

/// <summary>
/// An app's place in a pipeline: its stage and the release status contexts that must all be
/// <c>success</c> on a release before it is promoted to this app. An app is in one pipeline at
/// most; the coupling goes with the app or the pipeline.
/// </summary>
public sealed class PipelineCoupling
{
    private PipelineCoupling()
    {
    }

    public Guid Id { get; private set; }

    public Guid PipelineId { get; private set; }

    public Pipeline Pipeline { get; private set; } = null!;

    public Guid AppId { get; private set; }

    public App App { get; private set; } = null!;

    public PipelineStage Stage { get; private set; }

    public List<string> RequiredContexts { get; private set; } = [];

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public static PipelineCoupling Create(Pipeline pipeline, App app, PipelineStage stage, IEnumerable<string> contexts, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        PipelineId = pipeline.Id,
        Pipeline = pipeline,
        AppId = app.Id,
        App = app,
        Stage = stage,
        RequiredContexts = [.. contexts],
        CreatedAt = now,
        UpdatedAt = now,
    };

    public void Change(PipelineStage? stage, IEnumerable<string>? contexts, DateTimeOffset now)
    {
        Stage = stage ?? Stage;
        RequiredContexts = contexts is null ? RequiredContexts : [.. contexts];
        UpdatedAt = now;
    }
}

internal sealed class PipelineCouplingConfiguration : IEntityTypeConfiguration<PipelineCoupling>
{
    public void Configure(EntityTypeBuilder<PipelineCoupling> coupling)
    {
        coupling.HasIndex(c => c.AppId).IsUnique();
        coupling.HasIndex(c => c.PipelineId);
        coupling.Property(c => c.Stage).HasConversion<string>().HasMaxLength(16);
        coupling.Property(c => c.RequiredContexts).HasJsonConversion(JsonColumn.ByItems<string>());
        coupling.HasOne(c => c.Pipeline).WithMany().HasForeignKey(c => c.PipelineId).OnDelete(DeleteBehavior.Cascade);
        coupling.HasOne(c => c.App).WithMany().HasForeignKey(c => c.AppId).OnDelete(DeleteBehavior.Cascade);
    }
}
