using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Slipway.Contracts;
using Slipway.Server.Http;

namespace Slipway.Server.Releases;

/// <summary><c>/apps/{app}/releases</c>: the history (paged by version), one release, deploy a slug, roll back.</summary>
public static class ReleasesApi
{
    public static IEndpointRouteBuilder MapReleasesApi(this IEndpointRouteBuilder app)
    {
        var releases = app.MapGroup("/releases");
        releases.MapGet("/", List);
        releases.MapGet("/{release}", Get);
        releases.MapGet("/{release}/config-vars", GetConfig);
        releases.MapGet("/{release}/output", GetOutput);
        releases.MapPost("/", Create);
        return app;
    }

    private static async Task<Results<Ok<List<ReleaseResponse>>, JsonHttpResult<List<ReleaseResponse>>, ProblemHttpResult>> List(
        RequestedApp target, [FromHeader(Name = "Range")] string? range, HttpContext http, ReleaseService releases, CancellationToken ct)
    {
        if (!VersionRange.TryParse(range, out var page, out var error))
        {
            return ApiProblem.BadRequest(error!);
        }

        var found = await releases.ListAsync(target.App, page, ct);
        var items = found.Releases.Select(r => ReleaseMapping.ToResponse(r, target.App)).ToList();
        http.Response.Headers.AcceptRanges = "version";
        if (items.Count > 0)
        {
            http.Response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"version {items[0].Version}..{items[^1].Version}");
        }

        if (!found.More)
        {
            return TypedResults.Ok(items);
        }

        http.Response.Headers["Next-Range"] = page.NextAfter(items[^1].Version);
        return TypedResults.Json(items, statusCode: StatusCodes.Status206PartialContent);
    }

    private static async Task<Results<Ok<ReleaseResponse>, ProblemHttpResult>> Get(RequestedApp target, string release, ReleaseService releases, CancellationToken ct)
    {
        var found = await releases.FindAsync(target.App, release, ct);
        return found.Refused ? ApiProblem.Of(found.Refusal) : TypedResults.Ok(ReleaseMapping.ToResponse(found.Value, target.App));
    }

    /// <summary>The one place a release's config values (not just names) can be read: user and add-on vars together.</summary>
    private static async Task<Results<Ok<Dictionary<string, string>>, ProblemHttpResult>> GetConfig(RequestedApp target, string release, ReleaseService releases, CancellationToken ct)
    {
        var found = await releases.FindAsync(target.App, release, ct);
        return found.Refused ? ApiProblem.Of(found.Refusal) : TypedResults.Ok(ReleaseEnvironment.Of(found.Value.Release));
    }

    /// <summary>What the release phase printed (<c>aka releases:output vN</c>).</summary>
    private static async Task<Results<Ok<ReleaseOutputResponse>, ProblemHttpResult>> GetOutput(RequestedApp target, string release, ReleaseService releases, CancellationToken ct)
    {
        var found = await releases.PhaseAsync(target.App, release, ct);
        if (found.Refused)
        {
            return ApiProblem.Of(found.Refusal);
        }

        var (row, output) = found.Value;
        var hasPhase = output is not null || row.Slug?.ProcessTypes.ContainsKey(Runtime.ReleaseSpec.ReleasePhaseType) == true;
        return TypedResults.Ok(new ReleaseOutputResponse(row.Version, row.Status.ToString().ToLowerInvariant(), hasPhase, output?.ExitCode, output?.Output ?? ""));
    }

    private static async Task<Results<Created<ReleaseResponse>, ProblemHttpResult>> Create(
        RequestedApp target,
        CreateReleaseRequest request,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        HttpContext http,
        ReleaseService releases,
        CancellationToken ct)
    {
        var (app, caller) = target;
        var outcome = await releases.CreateAsync(app, caller, request, idempotencyKey, ct);
        if (outcome.Refusal is { } refusal)
        {
            return ApiProblem.Of(refusal);
        }

        if (outcome.Replayed)
        {
            http.Response.Headers["Idempotent-Replayed"] = "true";
        }

        var made = await releases.ViewAsync(app, outcome.Release!, ct);
        return TypedResults.Created($"/apps/{app.Key}/releases/{made.Release.Version}", ReleaseMapping.ToResponse(made, app));
    }
}
