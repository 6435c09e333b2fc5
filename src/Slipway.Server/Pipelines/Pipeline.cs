using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Slipway.Server.Apps;

namespace Slipway.Server.Pipelines;

/// <summary>A pipeline (Akkeris): a shared name under which apps are coupled in stages, so that one stage's code is promoted to the next.</summary>
public sealed class Pipeline
{
    private Pipeline()
    {
    }

    public Guid Id { get; private set; }

    public string Name { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public static Pipeline Create(string name, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        Name = name,
        CreatedAt = now,
        UpdatedAt = now,
    };
}

internal sealed class PipelineConfiguration : IEntityTypeConfiguration<Pipeline>
{
    public void Configure(EntityTypeBuilder<Pipeline> pipeline)
    {
        pipeline.Property(p => p.Name).HasMaxLength(Names.MaxSpaceName);
        pipeline.HasIndex(p => p.Name).IsUnique();
    }
}
