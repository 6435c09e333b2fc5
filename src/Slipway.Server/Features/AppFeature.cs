using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Slipway.Server.Apps;

namespace Slipway.Server.Features;

/// <summary>
/// A feature an app has set (Akkeris's per-app switches, <see cref="FeatureCatalog"/>). Only a
/// feature that was switched has a row; every other one is at its default.
/// </summary>
public sealed class AppFeature
{
    private AppFeature()
    {
    }

    public Guid AppId { get; private set; }

    /// <summary>The feature's name in the catalog (<c>auto-release</c>).</summary>
    public string Name { get; private set; } = "";

    public bool Enabled { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public static AppFeature Create(Guid appId, string name, bool enabled, DateTimeOffset now) => new()
    {
        AppId = appId,
        Name = name,
        Enabled = enabled,
        UpdatedAt = now,
    };

    public void Set(bool enabled, DateTimeOffset now)
    {
        Enabled = enabled;
        UpdatedAt = now;
    }
}

internal sealed class AppFeatureConfiguration : IEntityTypeConfiguration<AppFeature>
{
    public void Configure(EntityTypeBuilder<AppFeature> feature)
    {
        feature.HasKey(f => new { f.AppId, f.Name });
        feature.Property(f => f.Name).HasMaxLength(64);
        feature.HasOne<App>().WithMany().HasForeignKey(f => f.AppId).OnDelete(DeleteBehavior.Cascade);
    }
}
