using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Builds;
using Slipway.Server.Http;

namespace Slipway.Server.Slugs;

/// <summary>
/// <c>POST /apps/{app}/slugs</c> registers a slug and answers where to PUT its bytes;
/// <c>PUT /slugs/{id}/blob</c> takes them, verified against the promised checksum and size
/// (<see cref="SlugService"/>).
/// </summary>
public static partial class SlugsApi
{
    public static IEndpointRouteBuilder MapSlugsApi(this IEndpointRouteBuilder routes, IEndpointRouteBuilder app)
    {
        app.MapPost("/slugs", Create);
        app.MapGet("/slugs/{slug}", GetForApp);
        routes.MapGet("/slugs/{slug}", Get);
        routes.MapPut("/slugs/{slug}/blob", Upload).WithMetadata(new BodyLimit(null));
        routes.MapGet(FolderSlugStore.DownloadPath + "/{digest}", DownloadSigned).AllowAnonymous();
        return routes;
    }

    private static async Task<Results<Created<SlugResponse>, ProblemHttpResult>> Create(
        RequestedApp target, CreateSlugRequest request, HttpContext http, SlugService slugs, CancellationToken ct)
    {
        var created = await slugs.CreateAsync(target.App, request, ct);
        return created.Refused ? ApiProblem.Of(created.Refusal) : TypedResults.Created($"/slugs/{created.Value.Id}", ToResponse(created.Value, null, http));
    }

    private static async Task<Results<Ok<SlugResponse>, ProblemHttpResult>> GetForApp(RequestedApp target, string slug, HttpContext http, SlugService slugs, CancellationToken ct)
    {
        var found = await slugs.FindAsync(target.Caller, slug, ct, target.App);
        return found.Refused ? ApiProblem.Of(found.Refusal) : TypedResults.Ok(ToResponse(found.Value, await slugs.BuildOfAsync(found.Value, ct), http));
    }

    private static async Task<Results<Ok<SlugResponse>, ProblemHttpResult>> Get(string slug, HttpContext http, SlugService slugs, CancellationToken ct)
    {
        var found = await slugs.FindAsync(Caller.Of(http.User), slug, ct);
        return found.Refused ? ApiProblem.Of(found.Refusal) : TypedResults.Ok(ToResponse(found.Value, await slugs.BuildOfAsync(found.Value, ct), http));
    }

    private static async Task<Results<Ok<SlugResponse>, ProblemHttpResult>> Upload(string slug, HttpContext http, SlugService slugs, CancellationToken ct)
    {
        var found = await slugs.FindAsync(Caller.Of(http.User), slug, ct);
        if (found.Refused)
        {
            return ApiProblem.Of(found.Refusal);
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = slugs.UploadLimitOf(found.Value) + 1;
        }

        var uploaded = await slugs.UploadAsync(found.Value, http.Request.Body, http.Request.ContentLength, ct);
        return uploaded.Refused ? ApiProblem.Of(uploaded.Refusal) : TypedResults.Ok(ToResponse(uploaded.Value, await slugs.BuildOfAsync(uploaded.Value, ct), http));
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

    /// <summary>
    /// Heroku's slug, plus Akkeris's <c>source_blob</c> (the Akkeris CLI reads a slug as the build it
    /// came from): the build's source, or for a slug uploaded as it is its commit and description.
    /// </summary>
    private static SlugResponse ToResponse(Slug slug, Build? build, HttpContext http) => new(
        slug.Id,
        new BlobLink("PUT", $"{http.Request.Scheme}://{http.Request.Host}/slugs/{slug.Id}/blob"),
        slug.Checksum,
        slug.Commit,
        slug.CommitDescription,
        slug.ProcessTypes,
        slug.Size,
        slug.Uploaded,
        slug.CreatedAt,
        slug.UpdatedAt,
        build is null ? new BuildSourceBlob("", null, null, slug.Commit, null, slug.CommitDescription, null, null) : BuildMapping.SourceBlobOf(build));

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex DigestPattern();

}
