namespace Slipway.Contracts;

public sealed record CreateSlugRequest(
    Dictionary<string, string>? ProcessTypes,
    string? Checksum,
    string? Commit,
    string? CommitDescription,
    long? Size);

/// <summary>Where to send (or fetch) a slug's bytes, as Heroku's <c>blob</c>.</summary>
public sealed record BlobLink(string Method, string Url);

/// <summary>
/// A slug (Heroku's shape). <see cref="SourceBlob"/> is Akkeris's: the source of the build that
/// made it, or for a slug uploaded as it is its commit and description (its url empty).
/// </summary>
public sealed record SlugResponse(
    Guid Id,
    BlobLink Blob,
    string Checksum,
    string? Commit,
    string? CommitDescription,
    IReadOnlyDictionary<string, string> ProcessTypes,
    long? Size,
    bool Uploaded,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    BuildSourceBlob? SourceBlob = null);
