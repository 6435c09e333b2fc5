using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Http;

namespace Slipway.Server.Sources;

/// <summary>
/// <c>/sources</c>, as Heroku's (<see cref="SourceService"/>): <c>POST</c> answers a
/// <c>put_url</c> and a <c>get_url</c>; the caller PUTs the archive (with its token) once, then
/// starts a build with the <c>get_url</c> as its source URL, which the build reads from the data
/// folder, not over the network.
/// </summary>
public static class SourcesApi
{
    public static IEndpointRouteBuilder MapSourcesApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/sources", Create);
        routes.MapPut("/sources/{source}", Upload).WithMetadata(new BodyLimit(null));
        routes.MapGet("/sources/{source}", Download);
        return routes;
    }

    private static async Task<Created<SourceResponse>> Create(HttpContext http, SourceService sources, CancellationToken ct)
    {
        var response = ToResponse(await sources.CreateAsync(Caller.Of(http.User), ct), http.Request);
        return TypedResults.Created(response.SourceBlob.GetUrl, response);
    }

    private static async Task<Results<Ok<SourceResponse>, ProblemHttpResult>> Upload(string source, HttpContext http, SourceService sources, CancellationToken ct)
    {
        var found = await sources.FindAsync(Caller.Of(http.User), source, ct);
        if (found.Refused)
        {
            return ApiProblem.Of(found.Refusal);
        }

        if (!found.Value.Uploaded && http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = sources.MaxBytes + 1;
        }

        var uploaded = await sources.UploadAsync(found.Value, http.Request.Body, http.Request.ContentLength, ct);
        return uploaded.Refused ? ApiProblem.Of(uploaded.Refusal) : TypedResults.Ok(ToResponse(uploaded.Value, http.Request));
    }

    private static async Task<Results<PhysicalFileHttpResult, ProblemHttpResult>> Download(string source, HttpContext http, SourceService sources, CancellationToken ct)
    {
        var found = await sources.FindAsync(Caller.Of(http.User), source, ct);
        return !found.Refused && sources.FileOf(found.Value) is { } path
            ? TypedResults.PhysicalFile(path, "application/octet-stream")
            : ApiProblem.NotFound($"Source '{source}' not found.");
    }

    private static SourceResponse ToResponse(SourceUpload upload, HttpRequest request)
    {
        var url = $"{request.Scheme}://{request.Host}{request.PathBase}/sources/{upload.Id}";
        return new SourceResponse(upload.Id, new SourceBlobUrls(url, url), upload.Uploaded, upload.Size, upload.Checksum, upload.CreatedAt, upload.ExpiresAt);
    }
}
