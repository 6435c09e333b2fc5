using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Server.Accounts;
using Slipway.Server.Builds;
using Slipway.Server.Data;
using Slipway.Server.Http;
using Slipway.Server.Slugs;

namespace Slipway.Server.Sources;

/// <summary>
/// Source uploads (Heroku's <c>/sources</c>): a slot is its owner's (and admins'), takes one
/// non-empty archive of at most <see cref="BuildOptions.MaxSourceBytes"/>, and is kept for
/// <see cref="BuildOptions.SourceRetention"/>; a build whose source URL is the slot's reads the file locally.
/// </summary>
public sealed class SourceService(SlipwayDb db, BuildPaths paths, TimeProvider clock, IOptions<BuildOptions> options)
{
    public long MaxBytes => options.Value.MaxSourceBytes;

    public async Task<SourceUpload> CreateAsync(Caller caller, CancellationToken ct)
    {
        var upload = SourceUpload.Create(caller.UserId, clock.GetUtcNow(), options.Value.SourceRetention);
        db.SourceUploads.Add(upload);
        await db.SaveChangesAsync(ct);
        return upload;
    }

    /// <summary>An upload slot by id, if it is the caller's (or the caller is an admin).</summary>
    public async Task<Answer<SourceUpload>> FindAsync(Caller caller, string reference, CancellationToken ct)
    {
        var upload = Guid.TryParse(reference, out var id) ? await db.SourceUploads.FirstOrDefaultAsync(s => s.Id == id, ct) : null;
        return upload is not null && (upload.UserId == caller.UserId || caller.IsAdmin) ? upload : Refusal.NotFound($"Source '{reference}' not found.");
    }

    /// <summary>The file of an uploaded slot, or null before its archive arrived.</summary>
    public string? FileOf(SourceUpload upload) => paths.UploadOf(upload.Id) is var path && File.Exists(path) ? path : null;

    /// <summary>Takes the slot's archive, once; <paramref name="tracked"/> must come from <see cref="FindAsync"/>.</summary>
    public async Task<Answer<SourceUpload>> UploadAsync(SourceUpload tracked, Stream body, long? length, CancellationToken ct)
    {
        if (tracked.Uploaded)
        {
            return AlreadyUploaded(tracked);
        }

        if (length > MaxBytes)
        {
            return TooLarge();
        }

        using var incoming = await IncomingSlug.ReceiveAsync(paths.UploadsIncoming, body, MaxBytes, requireGzip: false, ct);
        if (incoming.Status == SlugPutStatus.TooLarge)
        {
            return TooLarge();
        }

        if (incoming.Size == 0)
        {
            return Refusal.Invalid("The upload is empty: PUT a .zip or .tar.gz archive.");
        }

        try
        {
            File.Move(incoming.Path, paths.UploadOf(tracked.Id), overwrite: false);
        }
        catch (IOException)
        {
            return AlreadyUploaded(tracked);
        }

        tracked.MarkUploaded(incoming.Size, Checksum.Of(incoming.Digest));
        await db.SaveChangesAsync(CancellationToken.None);
        return tracked;
    }

    private static Refusal AlreadyUploaded(SourceUpload upload) => Refusal.Conflict($"Source {upload.Id} is already uploaded; ask POST /sources for a new one.");

    private Refusal TooLarge() =>
        new(StatusCodes.Status413PayloadTooLarge, "too_large", $"The source is larger than {MaxBytes} bytes (Slipway:Builds:MaxSourceBytes); nothing was kept.");
}
