namespace Slipway.Server.Slugs;

public enum SlugPutStatus
{
    Stored,
    ChecksumMismatch,
    TooLarge,
    NotGzip,

    /// <summary>A gzip, but not a slug the archive rules accept; <see cref="SlugPutResult.Problem"/> says why.</summary>
    Refused,
}

/// <summary>Bytes the store holds: their digest and when they were last written (or put again).</summary>
public sealed record StoredSlugBytes(string Digest, DateTimeOffset WrittenAt);

/// <summary>What a put kept: its status and size, the digest of what arrived, and for a refused slug, why.</summary>
public sealed record SlugPutResult(SlugPutStatus Status, long Size, string ActualDigest, string? Problem = null);

/// <summary>
/// Where slug bytes live, content-addressed by SHA-256 (lowercase hex). A put verifies size and
/// digest while it streams and keeps nothing unless both are right. Folder now, S3 for scale-out.
/// </summary>
public interface ISlugStore
{
    Task<SlugPutResult> PutAsync(string expectedDigest, Stream content, long maxBytes, CancellationToken ct);

    Task<bool> ExistsAsync(string digest, CancellationToken ct);

    Task<Stream> OpenReadAsync(string digest, CancellationToken ct);

    /// <summary>
    /// A URL anyone holding it can GET the slug from until it expires, for runners outside this
    /// server (Kubernetes pods): a presigned URL for S3, a signed URL served by Slipway for the folder store.
    /// </summary>
    Task<Uri> GetDownloadUrlAsync(string digest, TimeSpan lifetime, CancellationToken ct);

    /// <summary>Every slug's bytes the store holds (for the collector to find those no slug claims).</summary>
    IAsyncEnumerable<StoredSlugBytes> ListAsync(CancellationToken ct);

    /// <summary>Removes the bytes; nothing happens when they are not there. Callers make sure no slug claims them.</summary>
    Task DeleteAsync(string digest, CancellationToken ct);
}
