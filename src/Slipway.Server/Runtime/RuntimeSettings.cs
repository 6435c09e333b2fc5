using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Slipway.Server.Apps;
using Slipway.Server.Data;

namespace Slipway.Server.Runtime;

/// <summary>
/// How an app runs, apart from its releases: the formation (process type → quantity), the web
/// health check path and the boot timeout. Scaling changes this, never a release. A type not
/// listed runs with its default: one <c>web</c>, none of anything else.
/// </summary>
public sealed class RuntimeSettings
{
    public const int MaxHealthCheckPathLength = 255;

    private RuntimeSettings()
    {
    }

    public Guid AppId { get; private set; }

    public Dictionary<string, int> Quantities { get; private set; } = [];

    /// <summary>When set, a web process is healthy only once <c>GET</c> of this path answers 2xx or 3xx.</summary>
    public string? HealthCheckPath { get; private set; }

    /// <summary>The app's own boot timeout; null means <see cref="RuntimeOptions.BootTimeoutSeconds"/>.</summary>
    public int? BootTimeoutSeconds { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public static RuntimeSettings Create(Guid appId, DateTimeOffset now) => new() { AppId = appId, UpdatedAt = now };

    public static int DefaultQuantity(string type) => type == ReleaseSpec.WebType ? 1 : 0;

    public void Scale(string type, int quantity, DateTimeOffset now)
    {
        Quantities = new Dictionary<string, int>(Quantities, StringComparer.Ordinal) { [type] = quantity };
        UpdatedAt = now;
    }

    /// <summary>Sets the health check path; empty removes it.</summary>
    public void SetHealthCheck(string path, DateTimeOffset now)
    {
        HealthCheckPath = path.Length == 0 ? null : path;
        UpdatedAt = now;
    }

    public void SetBootTimeout(int seconds, DateTimeOffset now)
    {
        BootTimeoutSeconds = seconds;
        UpdatedAt = now;
    }

    /// <summary>The quantity of each runnable type of a slug (every type but the release phase).</summary>
    public static Dictionary<string, int> FormationOf(RuntimeSettings? settings, IReadOnlyDictionary<string, string> processTypes) =>
        processTypes.Keys
            .Where(type => type != ReleaseSpec.ReleasePhaseType)
            .ToDictionary(type => type, type => settings is not null && settings.Quantities.TryGetValue(type, out var q) ? q : DefaultQuantity(type), StringComparer.Ordinal);
}

internal sealed class RuntimeSettingsConfiguration : IEntityTypeConfiguration<RuntimeSettings>
{
    public void Configure(EntityTypeBuilder<RuntimeSettings> settings)
    {
        settings.HasKey(s => s.AppId);
        settings.Property(s => s.Quantities).HasJsonConversion(JsonColumn.ByEntries<int>());
        settings.Property(s => s.HealthCheckPath).HasMaxLength(RuntimeSettings.MaxHealthCheckPathLength);
        settings.HasOne<App>().WithMany().HasForeignKey(s => s.AppId).OnDelete(DeleteBehavior.Cascade);
    }
}
