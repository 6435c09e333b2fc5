using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Builds;
using Slipway.Server.Data;
using Slipway.Server.Http;
using Slipway.Server.Slugs;

namespace Slipway.Server.Sources;

/// <summary>
/// <c>/sources</c>, as Heroku's: <c>POST</c> answers a <c>put_url</c> and a <c>get_url</c>; the
/// caller PUTs the archive (with its token) once, then starts a build with the <c>get_url</c>
/// as its source URL, which the build reads from the data folder, not over the network.
/// An upload is its owner's (and admins') and is kept for <see cref="BuildOptions.SourceRetention"/>.
/// </summary>
public static class SourcesApi
{
    public static IEndpointRouteBuilder MapSourcesApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/sources", Create);
        routes.MapPut("/sources/{source}", Upload);
        routes.MapGet("/sources/{source}", Download);
        return routes;
    }

    private static async Task<Created<SourceResponse>> Create(HttpContext http, SlipwayDb db, TimeProvider clock, IOptions<BuildOptions> options, CancellationToken ct)
    {
        var upload = SourceUpload.Create(Caller.Of(http.User).UserId, clock.GetUtcNow(), options.Value.SourceRetention);
        db.SourceUploads.Add(upload);
        await db.SaveChangesAsync(ct);
        var response = ToResponse(upload, http.Request);
        return TypedResults.Created(response.SourceBlob.GetUrl, response);
    }

    private static async Task<Results<Ok<SourceResponse>, ProblemHttpResult>> Upload(
        string source, HttpContext http, SlipwayDb db, BuildPaths paths, IOptions<BuildOptions> options, CancellationToken ct)
    {
        var upload = await FindAsync(db, Caller.Of(http.User), source, ct);
        if (upload is null)
        {
            return SourceNotFound(source);
        }

        if (upload.Uploaded)
        {
            return ApiProblem.Conflict($"Source {upload.Id} is already uploaded; ask POST /sources for a new one.");
        }

        var max = options.Value.MaxSourceBytes;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = max + 1;
        }

        if (http.Request.ContentLength > max)
        {
            return TooLarge(max);
        }

        using var incoming = await IncomingSlug.ReceiveAsync(paths.UploadsIncoming, http.Request.Body, max, requireGzip: false, ct);
        if (incoming.Status == SlugPutStatus.TooLarge)
        {
            return TooLarge(max);
        }

        if (incoming.Size == 0)
        {
            return ApiProblem.Invalid("The upload is empty: PUT a .zip or .tar.gz archive.");
        }

        try
        {
            File.Move(incoming.Path, paths.UploadOf(upload.Id), overwrite: false);
        }
        catch (IOException)
        {
            return ApiProblem.Conflict($"Source {upload.Id} is already uploaded; ask POST /sources for a new one.");
        }

        upload.MarkUploaded(incoming.Size, Checksum.Of(incoming.Digest));
        await db.SaveChangesAsync(CancellationToken.None);
        return TypedResults.Ok(ToResponse(upload, http.Request));
    }

    private static async Task<Results<PhysicalFileHttpResult, ProblemHttpResult>> Download(string source, HttpContext http, SlipwayDb db, BuildPaths paths, CancellationToken ct)
    {
        var upload = await FindAsync(db, Caller.Of(http.User), source, ct);
        var path = upload is null ? null : paths.UploadOf(upload.Id);
        return path is not null && File.Exists(path)
            ? TypedResults.PhysicalFile(path, "application/octet-stream")
            : SourceNotFound(source);
    }

    private static async Task<SourceUpload?> FindAsync(SlipwayDb db, Caller caller, string source, CancellationToken ct)
    {
        if (!Guid.TryParse(source, out var id))
        {
            return null;
        }

        var upload = await db.SourceUploads.FirstOrDefaultAsync(s => s.Id == id, ct);
        return upload is not null && (upload.UserId == caller.UserId || caller.IsAdmin) ? upload : null;
    }

    private static ProblemHttpResult SourceNotFound(string source) => ApiProblem.NotFound($"Source '{source}' not found.");

    private static ProblemHttpResult TooLarge(long max) =>
        ApiProblem.Of(StatusCodes.Status413PayloadTooLarge, "too_large", $"The source is larger than {max} bytes (Slipway:Builds:MaxSourceBytes); nothing was kept.");

    private static SourceResponse ToResponse(SourceUpload upload, HttpRequest request)
    {
        var url = $"{request.Scheme}://{request.Host}{request.PathBase}/sources/{upload.Id}";
        return new SourceResponse(upload.Id, new SourceBlobUrls(url, url), upload.Uploaded, upload.Size, upload.Checksum, upload.CreatedAt, upload.ExpiresAt);
    }
}
