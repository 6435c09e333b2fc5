using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Slipway.Server.Apps;
using Slipway.Server.Data;

namespace Slipway.Server.Slugs;

/// <summary>
/// A built app: a tar.gz with the app under <c>./app/</c>, plus its process types. The bytes
/// live in the <see cref="ISlugStore"/>, addressed by their SHA-256; this row is the app's claim on them.
/// A slug that a build made has the build's id (in Akkeris a build is its slug), so a release's
/// <c>slug.id</c> names the build it came from; several rows may claim the same bytes.
/// </summary>
public sealed class Slug
{
    private Slug()
    {
    }

    public Guid Id { get; private set; }

    public Guid AppId { get; private set; }

    /// <summary><c>SHA256:&lt;64 lowercase hex&gt;</c>, fixed when the slug is created; the upload must match it.</summary>
    public string Checksum { get; private set; } = "";

    /// <summary>The size promised at creation, or the size received once uploaded.</summary>
    public long? Size { get; private set; }

    public Dictionary<string, string> ProcessTypes { get; private set; } = [];

    public string? Commit { get; private set; }

    public string? CommitDescription { get; private set; }

    public bool Uploaded { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>The lowercase hex digest of <see cref="Checksum"/>: the blob's address in the store.</summary>
    public string Digest => Slugs.Checksum.DigestOf(Checksum);

    /// <summary>A new slug; <paramref name="id"/> is the build's id when a build makes it, else a new one.</summary>
    public static Slug Create(Guid appId, string checksum, long? size, Dictionary<string, string> processTypes, string? commit, string? commitDescription, DateTimeOffset now, Guid? id = null) => new()
    {
        Id = id ?? Guid.CreateVersion7(now),
        AppId = appId,
        Checksum = checksum,
        Size = size,
        ProcessTypes = processTypes,
        Commit = commit,
        CommitDescription = commitDescription,
        CreatedAt = now,
        UpdatedAt = now,
    };

    /// <summary>The same bytes and process types claimed again under <paramref name="id"/> (a build that reused this slug), already uploaded.</summary>
    public Slug ReusedAs(Guid id, string? commit, string? commitDescription, DateTimeOffset now)
    {
        var copy = Create(AppId, Checksum, Size, new Dictionary<string, string>(ProcessTypes, StringComparer.Ordinal), commit, commitDescription, now, id);
        copy.Uploaded = Uploaded;
        return copy;
    }

    public void MarkUploaded(long size, DateTimeOffset now)
    {
        Size = size;
        Uploaded = true;
        UpdatedAt = now;
    }
}

internal sealed class SlugConfiguration : IEntityTypeConfiguration<Slug>
{
    public void Configure(EntityTypeBuilder<Slug> slug)
    {
        slug.Property(s => s.Checksum).HasMaxLength(71);
        slug.Property(s => s.ProcessTypes).HasJsonConversion(JsonColumn.ByEntries<string>());
        slug.HasIndex(s => s.AppId);
        slug.HasIndex(s => s.Checksum);
        slug.HasOne<App>().WithMany().HasForeignKey(s => s.AppId).OnDelete(DeleteBehavior.Cascade);
    }
}
