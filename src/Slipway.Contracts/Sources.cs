namespace Slipway.Contracts;

/// <summary>Where to PUT an archive (with the API token) and where a build can GET it, as Heroku's <c>/sources</c>.</summary>
public sealed record SourceBlobUrls(string GetUrl, string PutUrl);

/// <summary>
/// An upload slot for a build source. <see cref="SourceBlob"/>'s <c>get_url</c> is what
/// <c>POST /apps/{app}/builds</c> takes as its source URL once the archive is uploaded.
/// </summary>
public sealed record SourceResponse(
    Guid Id,
    SourceBlobUrls SourceBlob,
    bool Uploaded,
    long? Size,
    string? Checksum,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt);
