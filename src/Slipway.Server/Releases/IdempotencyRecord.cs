using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Slipway.Server.Apps;

namespace Slipway.Server.Releases;

/// <summary>
/// The first answer to a POST that carried an <c>Idempotency-Key</c>, so that a retry gets
/// that answer back instead of making a second release.
/// </summary>
public sealed class IdempotencyRecord
{
    private IdempotencyRecord()
    {
    }

    public Guid Id { get; private set; }

    public Guid UserId { get; private set; }

    public Guid AppId { get; private set; }

    public string Key { get; private set; } = "";

    public Guid ReleaseId { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public static IdempotencyRecord Create(Guid userId, Guid appId, string key, Guid releaseId, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        UserId = userId,
        AppId = appId,
        Key = key,
        ReleaseId = releaseId,
        CreatedAt = now,
    };
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> record)
    {
        record.Property(r => r.Key).HasMaxLength(255);
        record.HasIndex(r => new { r.UserId, r.AppId, r.Key }).IsUnique();
        record.HasOne<App>().WithMany().HasForeignKey(r => r.AppId).OnDelete(DeleteBehavior.Cascade);
    }
}
