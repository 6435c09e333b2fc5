using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Slipway.Server.Apps;
using Slipway.Server.Data;

namespace Slipway.Server.Hooks;

/// <summary>
/// An app's webhook (Akkeris): the events it wants, POSTed as JSON to <see cref="Url"/> and signed
/// with <see cref="Secret"/>. Removed with its app; what it was still owed is delivered all the same
/// (each <see cref="HookDelivery"/> keeps its own copy of where and how to sign).
/// </summary>
public sealed class AppHook
{
    public const int MaxUrlLength = 2048;

    public const int MaxSecretLength = 256;

    private AppHook()
    {
    }

    public Guid Id { get; private set; }

    public Guid AppId { get; private set; }

    public string Url { get; private set; } = "";

    /// <summary>The events it is sent (<see cref="HookEvents.Names"/>).</summary>
    public List<string> Events { get; private set; } = [];

    public bool Active { get; private set; }

    /// <summary>The HMAC key of the signature headers; never read back by the API, never logged.</summary>
    public string Secret { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public static AppHook Create(Guid appId, string url, IEnumerable<string> events, bool active, string secret, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        AppId = appId,
        Url = url,
        Events = [.. events],
        Active = active,
        Secret = secret,
        CreatedAt = now,
        UpdatedAt = now,
    };

    public bool Wants(string @event) => Active && Events.Contains(@event, StringComparer.Ordinal);

    /// <summary>Applies what a PATCH gives (null leaves a field as it is).</summary>
    public void Change(string? url, IEnumerable<string>? events, bool? active, string? secret, DateTimeOffset now)
    {
        Url = url ?? Url;
        Events = events is null ? Events : [.. events];
        Active = active ?? Active;
        Secret = secret ?? Secret;
        UpdatedAt = now;
    }
}

internal sealed class AppHookConfiguration : IEntityTypeConfiguration<AppHook>
{
    public void Configure(EntityTypeBuilder<AppHook> hook)
    {
        hook.ToTable("AppHooks");
        hook.Property(h => h.Url).HasMaxLength(AppHook.MaxUrlLength);
        hook.Property(h => h.Secret).HasMaxLength(AppHook.MaxSecretLength);
        hook.Property(h => h.Events).HasJsonConversion(JsonColumn.ByItems<string>());
        hook.HasIndex(h => h.AppId);
        hook.HasOne<App>().WithMany().HasForeignKey(h => h.AppId).OnDelete(DeleteBehavior.Cascade);
    }
}
