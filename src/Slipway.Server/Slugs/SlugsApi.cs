using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Data;
using Slipway.Server.Http;

namespace Slipway.Server.Slugs;

/// <summary>
/// <c>POST /apps/{app}/slugs</c> registers a slug and answers where to PUT its bytes;
/// <c>PUT /slugs/{id}/blob</c> takes them, verified against the promised checksum and size.
/// </summary>
public static partial class SlugsApi
{
    public static IEndpointRouteBuilder MapSlugsApi(this IEndpointRouteBuilder routes, IEndpointRouteBuilder app)
    {
        app.MapPost("/slugs", Create);
        app.MapGet("/slugs/{slug}", GetForApp);
        routes.MapGet("/slugs/{slug}", Get);
        routes.MapPut("/slugs/{slug}/blob", Upload);
        routes.MapGet(FolderSlugStore.DownloadPath + "/{digest}", DownloadSigned).AllowAnonymous();
        return routes;
    }

    private static async Task<Results<Created<SlugResponse>, ProblemHttpResult>> Create(
        RequestedApp target, CreateSlugRequest request, HttpContext http, SlipwayDb db, TimeProvider clock, IOptions<SlipwayOptions> options, CancellationToken ct)
    {
        var found = target.App;
        if (Checksum.Normalize(request.Checksum) is not { } checksum)
        {
            return ApiProblem.Invalid(Checksum.Rule);
        }

        if (request.Size is { } size && (size <= 0 || size > options.Value.Slugs.MaxBytes))
        {
            return ApiProblem.Invalid($"size must be between 1 and {options.Value.Slugs.MaxBytes} bytes.");
        }

        var processTypes = request.ProcessTypes ?? [];
        foreach (var (type, command) in processTypes)
        {
            if (!ProcessTypePattern().IsMatch(type) || type.Length > 63)
            {
                return ApiProblem.Invalid($"Process type '{type}' is not valid: use letters, digits, '_' and '-' (^[A-Za-z0-9_-]+$).");
            }

            if (string.IsNullOrWhiteSpace(command))
            {
                return ApiProblem.Invalid($"Process type '{type}' has no command.");
            }
        }

        var slug = Slug.Create(found.Id, checksum, request.Size, new Dictionary<string, string>(processTypes, StringComparer.Ordinal), request.Commit, request.CommitDescription, clock.GetUtcNow());
        db.Slugs.Add(slug);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/slugs/{slug.Id}", ToResponse(slug, http));
    }

    private static async Task<Results<Ok<SlugResponse>, ProblemHttpResult>> GetForApp(RequestedApp target, string slug, HttpContext http, Access access, SlipwayDb db, CancellationToken ct)
    {
        var row = await FindAsync(access, db, target.Caller, slug, ct);
        return row is null || row.AppId != target.App.Id ? SlugNotFound(slug) : TypedResults.Ok(ToResponse(row, http));
    }

    private static async Task<Results<Ok<SlugResponse>, ProblemHttpResult>> Get(string slug, HttpContext http, Access access, SlipwayDb db, CancellationToken ct)
    {
        var row = await FindAsync(access, db, Caller.Of(http.User), slug, ct);
        return row is null ? SlugNotFound(slug) : TypedResults.Ok(ToResponse(row, http));
    }

    private static async Task<Results<Ok<SlugResponse>, ProblemHttpResult>> Upload(
        string slug, HttpContext http, Access access, SlipwayDb db, ISlugStore store, TimeProvider clock, IOptions<SlipwayOptions> options, CancellationToken ct)
    {
        var row = await FindAsync(access, db, Caller.Of(http.User), slug, ct);
        if (row is null)
        {
            return SlugNotFound(slug);
        }

        var max = row.Size ?? options.Value.Slugs.MaxBytes;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = max + 1;
        }

        if (http.Request.ContentLength is { } length && length > max)
        {
            return ApiProblem.Of(413, "too_large", $"The slug is {length} bytes; at most {max} are accepted.");
        }

        var result = await store.PutAsync(row.Digest, http.Request.Body, max, ct);
        switch (result.Status)
        {
            case SlugPutStatus.TooLarge:
                return ApiProblem.Of(413, "too_large", $"The slug is larger than {max} bytes; nothing was kept.");
            case SlugPutStatus.NotGzip:
                return ApiProblem.Invalid("The slug is not a gzip archive (a slug is a tar.gz); nothing was kept.");
            case SlugPutStatus.ChecksumMismatch:
                return ApiProblem.Invalid($"Checksum mismatch: the slug promised {row.Checksum} but the upload is SHA256:{result.ActualDigest}; nothing was kept.");
        }

        if (row.Size is { } promised && promised != result.Size)
        {
            return ApiProblem.Invalid($"Size mismatch: the slug promised {promised} bytes but {result.Size} arrived.");
        }

        var tracked = await db.Slugs.SingleAsync(s => s.Id == row.Id, ct);
        tracked.MarkUploaded(result.Size, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToResponse(tracked, http));
    }

    /// <summary>A signed download of the folder store (for Kubernetes pods); anything unsigned, expired or unknown is a 404.</summary>
    private static async Task<Results<FileStreamHttpResult, NotFound>> DownloadSigned(
        string digest, long? expires, string? signature, ISlugStore store, FolderSlugStore folder, TimeProvider clock, CancellationToken ct)
    {
        if (store is not FolderSlugStore
            || !DigestPattern().IsMatch(digest)
            || expires is not { } until
            || !folder.IsValidDownload(digest, until, signature, clock.GetUtcNow())
            || !await folder.ExistsAsync(digest, ct))
        {
            return TypedResults.NotFound();
        }

        return TypedResults.File(await folder.OpenReadAsync(digest, ct), "application/gzip", $"{digest}.tar.gz");
    }

    /// <summary>A slug is visible to whoever can see its app.</summary>
    private static async Task<Slug?> FindAsync(Access access, SlipwayDb db, Caller caller, string slug, CancellationToken ct)
    {
        if (!Guid.TryParse(slug, out var id))
        {
            return null;
        }

        var visibleApps = access.Apps(caller).Select(a => a.Id);
        return await db.Slugs.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id && visibleApps.Contains(s.AppId), ct);
    }

    private static ProblemHttpResult SlugNotFound(string slug) => ApiProblem.NotFound($"Slug '{slug}' not found.");

    private static SlugResponse ToResponse(Slug slug, HttpContext http) => new(
        slug.Id,
        new BlobLink("PUT", $"{http.Request.Scheme}://{http.Request.Host}/slugs/{slug.Id}/blob"),
        slug.Checksum,
        slug.Commit,
        slug.CommitDescription,
        slug.ProcessTypes,
        slug.Size,
        slug.Uploaded,
        slug.CreatedAt,
        slug.UpdatedAt);

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex DigestPattern();

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex ProcessTypePattern();
}
