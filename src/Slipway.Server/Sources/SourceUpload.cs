using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Slipway.Server.Accounts;

namespace Slipway.Server.Sources;

/// <summary>
/// An upload slot from <c>POST /sources</c>: its owner PUTs an archive once, and a build whose
/// source URL is the slot's <c>get_url</c> reads the file locally. Kept until it expires.
/// </summary>
public sealed class SourceUpload
{
    private SourceUpload()
    {
    }

    public Guid Id { get; private set; }

    public Guid UserId { get; private set; }

    public bool Uploaded { get; private set; }

    public long? Size { get; private set; }

    /// <summary><c>SHA256:&lt;hex&gt;</c> of what was uploaded.</summary>
    public string? Checksum { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset ExpiresAt { get; private set; }

    public static SourceUpload Create(Guid userId, DateTimeOffset now, TimeSpan retention) => new()
    {
        // Random, not time-ordered: the id in the URL is what lets a build read the upload.
        Id = Guid.NewGuid(),
        UserId = userId,
        CreatedAt = now,
        ExpiresAt = now + retention,
    };

    public void MarkUploaded(long size, string checksum)
    {
        if (Uploaded)
        {
            throw new InvalidOperationException($"Source {Id} is already uploaded.");
        }

        Uploaded = true;
        Size = size;
        Checksum = checksum;
    }
}

internal sealed class SourceUploadConfiguration : IEntityTypeConfiguration<SourceUpload>
{
    public void Configure(EntityTypeBuilder<SourceUpload> upload)
    {
        upload.Property(s => s.Checksum).HasMaxLength(71);
        upload.HasIndex(s => s.ExpiresAt);
        upload.HasOne<User>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
