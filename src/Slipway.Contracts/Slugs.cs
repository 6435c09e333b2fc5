namespace Slipway.Contracts;

public sealed record CreateSlugRequest(
    Dictionary<string, string>? ProcessTypes,
    string? Checksum,
    string? Commit,
    string? CommitDescription,
    long? Size);

/// <summary>Where to send (or fetch) a slug's bytes, as Heroku's <c>blob</c>.</summary>
public sealed record BlobLink(string Method, string Url);

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
    DateTimeOffset UpdatedAt);
