using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Apps;
using Slipway.Server.Builds;
using Slipway.Server.Data;
using Slipway.Server.Http;

namespace Slipway.Server.Slugs;

/// <summary>
/// Slugs a client builds itself (Heroku's slug API): registered with a promised checksum (and
/// size), then their bytes taken once, verified against that promise before anything is kept.
/// A slug is visible to whoever can see its app.
/// </summary>
public sealed partial class SlugService(SlipwayDb db, Access access, ISlugStore store, TimeProvider clock, IOptions<SlipwayOptions> options)
{
    private long MaxBytes => options.Value.Slugs.MaxBytes;

    public async Task<Answer<Slug>> CreateAsync(App app, CreateSlugRequest request, CancellationToken ct)
    {
        if (Checksum.Normalize(request.Checksum) is not { } checksum)
        {
            return Refusal.Invalid(Checksum.Rule, nameof(request.Checksum));
        }

        if (request.Size is { } size && (size <= 0 || size > MaxBytes))
        {
            return Refusal.Invalid($"size must be between 1 and {MaxBytes} bytes.", nameof(request.Size));
        }

        var processTypes = request.ProcessTypes ?? [];
        if (ProcessTypes.BoundsProblem(processTypes) is { } tooLarge)
        {
            return Refusal.Invalid(tooLarge, nameof(request.ProcessTypes));
        }

        foreach (var (type, command) in processTypes)
        {
            if (!ProcessTypePattern().IsMatch(type) || type.Length > ProcessTypes.MaxNameLength)
            {
                return Refusal.Invalid($"Process type '{type}' is not valid: use letters, digits, '_' and '-' (^[A-Za-z0-9_-]+$).", nameof(request.ProcessTypes));
            }

            if (string.IsNullOrWhiteSpace(command))
            {
                return Refusal.Invalid($"Process type '{type}' has no command.", nameof(request.ProcessTypes));
            }
        }

        var slug = Slug.Create(app.Id, checksum, request.Size, new Dictionary<string, string>(processTypes, StringComparer.Ordinal), request.Commit, request.CommitDescription, clock.GetUtcNow());
        db.Slugs.Add(slug);
        await db.SaveChangesAsync(ct);
        return slug;
    }

    /// <summary>A slug by id, if the caller can see its app (and, when given, it is <paramref name="app"/>'s).</summary>
    public async Task<Answer<Slug>> FindAsync(Caller caller, string reference, CancellationToken ct, App? app = null)
    {
        var visibleApps = access.Apps(caller).Select(a => a.Id);
        var slug = Guid.TryParse(reference, out var id)
            ? await db.Slugs.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id && visibleApps.Contains(s.AppId), ct)
            : null;
        return slug is null || (app is not null && slug.AppId != app.Id) ? Refusal.NotFound($"Slug '{reference}' not found.") : slug;
    }

    /// <summary>
    /// The build that made <paramref name="slug"/>: the one whose id it has (or, for a slug made
    /// before slugs took their build's id, the first build that recorded it); null for a slug uploaded as it is.
    /// </summary>
    public Task<Build?> BuildOfAsync(Slug slug, CancellationToken ct) =>
        db.Builds.AsNoTracking()
            .Where(b => b.AppId == slug.AppId && (b.Id == slug.Id || b.SlugId == slug.Id))
            .OrderBy(b => b.CreatedAt)
            .FirstOrDefaultAsync(ct);

    /// <summary>The most bytes an upload of <paramref name="slug"/> may have: its promised size, else the store's limit.</summary>
    public long UploadLimitOf(Slug slug) => slug.Size ?? MaxBytes;

    /// <summary>Takes the slug's bytes; nothing is kept unless they are a gzip archive matching the promised checksum and size, that passes the archive rules.</summary>
    public async Task<Answer<Slug>> UploadAsync(Slug slug, Stream body, long? length, CancellationToken ct)
    {
        var max = UploadLimitOf(slug);
        if (length > max)
        {
            return TooLarge($"The slug is {length} bytes; at most {max} are accepted.");
        }

        var result = await store.PutAsync(slug.Digest, body, max, ct);
        switch (result.Status)
        {
            case SlugPutStatus.TooLarge:
                return TooLarge($"The slug is larger than {max} bytes; nothing was kept.");
            case SlugPutStatus.NotGzip:
                return Refusal.Invalid("The slug is not a gzip archive (a slug is a tar.gz); nothing was kept.");
            case SlugPutStatus.ChecksumMismatch:
                return Refusal.Invalid($"Checksum mismatch: the slug promised {slug.Checksum} but the upload is SHA256:{result.ActualDigest}; nothing was kept.");
            case SlugPutStatus.Refused:
                return Refusal.Invalid($"The slug is refused: {result.Problem} Nothing was kept.");
        }

        if (slug.Size is { } promised && promised != result.Size)
        {
            return Refusal.Invalid($"Size mismatch: the slug promised {promised} bytes but {result.Size} arrived.");
        }

        var tracked = await db.Slugs.SingleAsync(s => s.Id == slug.Id, ct);
        tracked.MarkUploaded(result.Size, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return tracked;
    }

    private static Refusal TooLarge(string message) => new(StatusCodes.Status413PayloadTooLarge, "too_large", message);

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex ProcessTypePattern();
}
