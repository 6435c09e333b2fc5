using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Slipway.Server.Data;

namespace Slipway.Server.Hooks;

public enum HookDeliveryState
{
    /// <summary>Not yet delivered; tried at <see cref="HookDelivery.NextAttemptAt"/>.</summary>
    Pending,
    Delivered,

    /// <summary>Given up: refused for good by the receiver, or still failing when its time for retries ran out.</summary>
    Failed,
}

/// <summary>
/// One event owed to one hook: the durable outbox. It is written in the same unit of work as the
/// change that raised it (<see cref="HookEvents"/>), so once the change is saved the event cannot be
/// lost; <see cref="HookDeliverer"/> sends it, retries it and records each <see cref="HookAttempt"/>.
/// It keeps the hook's URL and secret as they were, so an event outlives its hook (an app's
/// <c>destroy</c> is delivered after the hooks went with the app).
/// </summary>
public sealed class HookDelivery
{
    private HookDelivery()
    {
    }

    public Guid Id { get; private set; }

    /// <summary>The hook it is for; not a foreign key, since the delivery outlives a destroyed app's hooks.</summary>
    public Guid HookId { get; private set; }

    public Guid AppId { get; private set; }

    /// <summary>The event (<c>release</c>, <c>released</c>, ...): the payload's <c>action</c> and the <c>x-akkeris-event</c> header.</summary>
    public string Event { get; private set; } = "";

    public string Url { get; private set; } = "";

    public string Secret { get; private set; } = "";

    /// <summary>The exact JSON body, signed as it is sent.</summary>
    public string Body { get; private set; } = "";

    public HookDeliveryState State { get; private set; }

    public int Attempts { get; private set; }

    public DateTimeOffset NextAttemptAt { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public static HookDelivery Create(AppHook hook, string @event, string body, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        HookId = hook.Id,
        AppId = hook.AppId,
        Event = @event,
        Url = hook.Url,
        Secret = hook.Secret,
        Body = body,
        State = HookDeliveryState.Pending,
        NextAttemptAt = now,
        CreatedAt = now,
        UpdatedAt = now,
    };

    /// <summary>Records an attempt: delivered, given up, or due again at <paramref name="retryAt"/>.</summary>
    public void Record(bool delivered, DateTimeOffset? retryAt, DateTimeOffset now)
    {
        Attempts++;
        State = delivered ? HookDeliveryState.Delivered : retryAt is null ? HookDeliveryState.Failed : HookDeliveryState.Pending;
        NextAttemptAt = retryAt ?? now;
        UpdatedAt = now;
    }
}

/// <summary>One try at a <see cref="HookDelivery"/>: what came back (or the error) and how long it took.</summary>
public sealed class HookAttempt
{
    public const int MaxErrorLength = 1024;

    private HookAttempt()
    {
    }

    public Guid Id { get; private set; }

    public Guid DeliveryId { get; private set; }

    public HookDelivery Delivery { get; private set; } = null!;

    /// <summary>Copied from the delivery, so that a hook's results are one index seek.</summary>
    public Guid HookId { get; private set; }

    public int Number { get; private set; }

    /// <summary>The receiver's status code; null when there was no answer (<see cref="Error"/> says why).</summary>
    public int? StatusCode { get; private set; }

    public string? Error { get; private set; }

    public Dictionary<string, string> ResponseHeaders { get; private set; } = [];

    public long DurationMs { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public static HookAttempt Create(HookDelivery delivery, int? statusCode, string? error, Dictionary<string, string> headers, TimeSpan duration, DateTimeOffset startedAt) => new()
    {
        Id = Guid.CreateVersion7(startedAt),
        DeliveryId = delivery.Id,
        HookId = delivery.HookId,
        Number = delivery.Attempts + 1,
        StatusCode = statusCode,
        Error = error is { Length: > MaxErrorLength } ? error[..MaxErrorLength] : error,
        ResponseHeaders = headers,
        DurationMs = (long)duration.TotalMilliseconds,
        CreatedAt = startedAt,
    };
}

internal sealed class HookDeliveryConfiguration : IEntityTypeConfiguration<HookDelivery>
{
    public void Configure(EntityTypeBuilder<HookDelivery> delivery)
    {
        delivery.ToTable("HookDeliveries");
        delivery.Property(d => d.Event).HasMaxLength(64);
        delivery.Property(d => d.Url).HasMaxLength(AppHook.MaxUrlLength);
        delivery.Property(d => d.Secret).HasMaxLength(AppHook.MaxSecretLength);
        delivery.Property(d => d.State).HasConversion<string>().HasMaxLength(16);
        delivery.HasIndex(d => new { d.State, d.NextAttemptAt });
        delivery.HasIndex(d => d.HookId);
    }
}

internal sealed class HookAttemptConfiguration : IEntityTypeConfiguration<HookAttempt>
{
    public void Configure(EntityTypeBuilder<HookAttempt> attempt)
    {
        attempt.ToTable("HookAttempts");
        attempt.Property(a => a.Error).HasMaxLength(HookAttempt.MaxErrorLength);
        attempt.Property(a => a.ResponseHeaders).HasJsonConversion(JsonColumn.ByEntries<string>());
        attempt.HasIndex(a => new { a.HookId, a.CreatedAt });
        attempt.HasOne(a => a.Delivery).WithMany().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
    }
}
