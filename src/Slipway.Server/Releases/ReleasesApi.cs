using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Slipway.Contracts;
using Slipway.Server.Http;

namespace Slipway.Server.Releases;

/// <summary>
/// <c>/apps/{app}/releases</c>: the history (paged by version), one release, deploy a slug (or a
/// build), roll back; and each release's statuses (<see cref="ReleaseStatusService"/>).
/// </summary>
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
        releases.MapGet("/{release}/statuses", ListStatuses);
        releases.MapPost("/{release}/statuses", CreateStatus);
        releases.MapGet("/{release}/statuses/{status}", GetStatus);
        releases.MapPatch("/{release}/statuses/{status}", UpdateStatus);
        return app;
    }

    /// <summary>
    /// A page of the history: the one a <c>Range</c> asks for, or without one the newest page, ascending,
    /// that ends with the current release (206 and a <c>Next-Range</c> to older ones when there are).
    /// </summary>
    private static async Task<Results<Ok<List<ReleaseResponse>>, JsonHttpResult<List<ReleaseResponse>>, ProblemHttpResult>> List(
        RequestedApp target, [FromHeader(Name = "Range")] string? range, HttpContext http, ReleaseService releases, CancellationToken ct)
    {
        if (!VersionRange.TryParse(range, out var page, out var error))
        {
            return ApiProblem.BadRequest(error!);
        }

        var found = await releases.ListAsync(target.App, string.IsNullOrWhiteSpace(range) ? null : page, ct);
        var items = found.Releases.Select(r => ReleaseMapping.ToResponse(r, target.App)).ToList();
        http.Response.Headers.AcceptRanges = "version";
        if (items.Count > 0)
        {
            http.Response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"version {items[0].Version}..{items[^1].Version}");
        }

        if (found.NextRange is not { } next)
        {
            return TypedResults.Ok(items);
        }

        http.Response.Headers["Next-Range"] = next;
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

    /// <summary>
    /// Makes a release: 201. A retry with the same <c>Idempotency-Key</c> answers the first release
    /// (201, <c>Idempotent-Replayed</c>); a build that released already answers its release (200).
    /// </summary>
    private static async Task<Results<Created<ReleaseResponse>, Ok<ReleaseResponse>, ProblemHttpResult>> Create(
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
        return outcome.Existing
            ? TypedResults.Ok(ReleaseMapping.ToResponse(made, app))
            : TypedResults.Created($"/apps/{app.Key}/releases/{made.Release.Version}", ReleaseMapping.ToResponse(made, app));
    }

    /// <summary>Akkeris's list answer: the combined state and every status, oldest first.</summary>
    private static async Task<Results<Ok<ReleaseStatusListResponse>, ProblemHttpResult>> ListStatuses(
        RequestedApp target, string release, ReleaseStatusService statuses, CancellationToken ct)
    {
        var found = await statuses.ListAsync(target.App, release, ct);
        if (found.Refused)
        {
            return ApiProblem.Of(found.Refusal);
        }

        var (row, checks) = found.Value;
        return TypedResults.Ok(new ReleaseStatusListResponse(
            ReleaseStatusService.NameOf(found.Value.Combined),
            [.. checks.Select(c => ReleaseMapping.ToResponse(c, row))],
            new ReleaseRef(row.Id, row.Version)));
    }

    private static async Task<Results<Created<ReleaseStatusResponse>, ProblemHttpResult>> CreateStatus(
        RequestedApp target, string release, CreateReleaseStatusRequest request, ReleaseStatusService statuses, CancellationToken ct)
    {
        var created = await statuses.CreateAsync(target.App, release, request, ct);
        if (created.Refused)
        {
            return ApiProblem.Of(created.Refusal);
        }

        var (row, check) = created.Value;
        return TypedResults.Created($"/apps/{target.App.Key}/releases/{row.Id}/statuses/{check.Id}", ReleaseMapping.ToResponse(check, row));
    }

    private static async Task<Results<Ok<ReleaseStatusResponse>, ProblemHttpResult>> GetStatus(
        RequestedApp target, string release, string status, ReleaseStatusService statuses, CancellationToken ct)
    {
        var found = await statuses.FindAsync(target.App, release, status, ct);
        return found.Refused ? ApiProblem.Of(found.Refusal) : TypedResults.Ok(ReleaseMapping.ToResponse(found.Value.Check, found.Value.Release));
    }

    private static async Task<Results<Ok<ReleaseStatusResponse>, ProblemHttpResult>> UpdateStatus(
        RequestedApp target, string release, string status, UpdateReleaseStatusRequest request, ReleaseStatusService statuses, CancellationToken ct)
    {
        var updated = await statuses.UpdateAsync(target.App, release, status, request, ct);
        return updated.Refused ? ApiProblem.Of(updated.Refusal) : TypedResults.Ok(ReleaseMapping.ToResponse(updated.Value.Check, updated.Value.Release));
    }
}
