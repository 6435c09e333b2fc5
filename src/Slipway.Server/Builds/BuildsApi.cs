using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Slipway.Contracts;
using Slipway.Server.Http;

namespace Slipway.Server.Builds;

/// <summary>
/// <c>/apps/{app}/builds</c> (<see cref="BuildService"/>): start a build, list, show, its result
/// with output, its live output stream, and cancel (<c>DELETE</c>).
/// </summary>
public static class BuildsApi
{

    public static IEndpointRouteBuilder MapBuildsApi(this IEndpointRouteBuilder routes, IEndpointRouteBuilder app)
    {
        var builds = app.MapGroup("/builds");
        builds.MapPost("/", Create);
        builds.MapGet("/", List);
        builds.MapGet("/{build}", Get);
        builds.MapGet("/{build}/result", Result);
        builds.MapDelete("/{build}", Cancel);

        // Outside the app group: the output stream works with the build's key alone, without a token.
        routes.MapGet(AppRoutes.Pattern + "/builds/{build}/output", Output).AllowAnonymous();
        return routes;
    }

    private static async Task<Results<Created<BuildResponse>, ProblemHttpResult>> Create(
        RequestedApp target, CreateBuildRequest request, HttpContext http, BuildService builds, IOptions<BuildOptions> options, CancellationToken ct)
    {
        var (app, caller) = target;
        var created = await builds.CreateAsync(app, caller, request, ct);
        return created.Refused
            ? ApiProblem.Of(created.Refusal)
            : TypedResults.Created($"/apps/{app.Key}/builds/{created.Value.Id}", BuildMapping.ToResponse(created.Value, app, http.Request, options.Value.Stack));
    }

    private static async Task<Results<Ok<List<BuildResponse>>, ProblemHttpResult>> List(
        RequestedApp target, int? limit, HttpContext http, BuildService builds, IOptions<BuildOptions> options, CancellationToken ct)
    {
        var found = await builds.ListAsync(target.App, limit, ct);
        return found.Refused
            ? ApiProblem.Of(found.Refusal)
            : TypedResults.Ok(found.Value.Select(b => BuildMapping.ToResponse(b, target.App, http.Request, options.Value.Stack)).ToList());
    }

    private static async Task<Results<Ok<BuildResponse>, ProblemHttpResult>> Get(
        RequestedApp target, string build, HttpContext http, BuildService builds, IOptions<BuildOptions> options, CancellationToken ct)
    {
        var found = await builds.FindAsync(target.App, build, ct);
        return found.Refused ? ApiProblem.Of(found.Refusal) : TypedResults.Ok(BuildMapping.ToResponse(found.Value, target.App, http.Request, options.Value.Stack));
    }

    /// <summary>Heroku's build result: status, exit code once ended, and every line of output so far.</summary>
    private static async Task<Results<Ok<BuildResultResponse>, ProblemHttpResult>> Result(
        RequestedApp target, string build, HttpContext http, BuildService builds, CancellationToken ct)
    {
        var found = await builds.ResultAsync(target.App, build, ct);
        if (found.Refused)
        {
            return ApiProblem.Of(found.Refusal);
        }

        var (row, lines) = found.Value;
        int? exit = row.Status switch
        {
            BuildStatus.Succeeded => 0,
            BuildStatus.Failed => 1,
            _ => null,
        };
        return TypedResults.Ok(new BuildResultResponse(
            new BuildResultBuild(row.Id, BuildMapping.StatusOf(row), BuildMapping.OutputStreamUrl(row, target.App, http.Request)),
            exit,
            row.FailureReason,
            [.. lines.Select(l => new BuildLine(l.Text, l.Err ? "stderr" : "stdout"))]));
    }

    /// <summary>
    /// Streams the output: everything so far, then each line as it comes, until the build ends.
    /// Plain text by default, <c>text/event-stream</c> (line numbers as event ids) when the
    /// client accepts it. Resumes after <c>Last-Event-ID</c> or <c>?offset=</c> (lines to skip).
    /// A client that asks for JSON gets the output so far in one answer instead (<see cref="WantsJson"/>).
    /// Works with the app's access or with the build's <c>key</c> from <c>output_stream_url</c>.
    /// </summary>
    private static async Task<Results<EmptyHttpResult, Ok<BuildOutputResponse>, ProblemHttpResult>> Output(
        string app,
        string build,
        string? key,
        int? offset,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventId,
        HttpContext http,
        BuildService builds,
        CancellationToken ct)
    {
        Build row;
        if (key is not null)
        {
            if (await builds.FindByOutputKeyAsync(build, key, ct) is not { } keyed)
            {
                return ApiProblem.NotFound($"Build '{build}' not found.");
            }

            row = keyed;
        }
        else if (http.User.Identity?.IsAuthenticated == true)
        {
            var found = await AppRoutes.ResolveAsync(http, app);
            if (found.Refused)
            {
                return ApiProblem.Of(found.Refusal);
            }

            var named = await builds.FindAsync(found.Value.App, build, ct);
            if (named.Refused)
            {
                return ApiProblem.Of(named.Refusal);
            }

            row = named.Value;
        }
        else
        {
            return ApiProblem.Of(StatusCodes.Status401Unauthorized, "unauthorized", "Send 'Authorization: Bearer <token>', or use the build's output_stream_url (it carries a key).");
        }

        var start = offset ?? (int.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out var last) ? last : 0);
        if (start < 0)
        {
            return ApiProblem.BadRequest("offset must be 0 or more.");
        }

        var sse = http.Request.Headers.Accept.Any(a => a?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true);
        if (!sse && WantsJson(http.Request))
        {
            return TypedResults.Ok(await OutputSoFarAsync(row, start, http.Request, builds, ct));
        }

        http.Response.ContentType = sse ? "text/event-stream" : "text/plain; charset=utf-8";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        await http.Response.StartAsync(ct);

        // Headers go out now, not with the first line: a resumed stream may have nothing new for a while.
        await http.Response.Body.FlushAsync(ct);
        var writer = new OutputWriter(http.Response, sse, start);
        try
        {
            var final = await builds.FollowOutputAsync(row.Id, start, writer.WriteAsync, ct);
            await writer.EndAsync(final.ToString().ToLowerInvariant(), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away.
        }

        return TypedResults.Empty;
    }

    /// <summary>
    /// Whether the client asks for the output as JSON: its <c>Accept</c> names <c>application/json</c>,
    /// or accepts anything (<c>*/*</c> or nothing said) while the request itself declares JSON, as the
    /// Akkeris CLI does on every call, GET included. Browsers, curl and Heroku's CLI declare nothing
    /// and keep the plain-text stream.
    /// </summary>
    private static bool WantsJson(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        return accept.All(a => a.MediaType.Equals("*/*", StringComparison.Ordinal))
            && request.GetTypedHeaders().ContentType?.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) == true;
    }

    /// <summary>
    /// The output so far from line <paramref name="start"/>, ending once the build has ended with the
    /// marker that stops <c>aka builds:output --tail</c> (Jenkins's <c>Finished: SUCCESS</c> / <c>FAILURE</c>).
    /// </summary>
    private static async Task<BuildOutputResponse> OutputSoFarAsync(Build row, int start, HttpRequest request, BuildService builds, CancellationToken ct)
    {
        var (lines, ended) = await builds.OutputSoFarAsync(row.Id, ct);
        var status = await builds.StatusAsync(row.Id, ct);
        List<string> text = [.. lines.Skip(start).Select(l => l.Text)];
        if (ended)
        {
            text.Add(status == BuildStatus.Succeeded ? "Finished: SUCCESS" : "Finished: FAILURE");
        }

        return new BuildOutputResponse(new BuildResultBuild(row.Id, status.ToString().ToLowerInvariant(), request.GetDisplayUrl()), text);
    }

    /// <summary>Cancels a queued or running build: its processes are killed and it fails with the reason. 202 while that happens.</summary>
    private static async Task<Results<Accepted<BuildResponse>, ProblemHttpResult>> Cancel(
        RequestedApp target, string build, HttpContext http, BuildService builds, IOptions<BuildOptions> options, CancellationToken ct)
    {
        var (app, caller) = target;
        var cancelled = await builds.CancelAsync(app, caller, build, ct);
        return cancelled.Refused
            ? ApiProblem.Of(cancelled.Refusal)
            : TypedResults.Accepted($"/apps/{app.Key}/builds/{cancelled.Value.Id}", BuildMapping.ToResponse(cancelled.Value, app, http.Request, options.Value.Stack));
    }

    /// <summary>Writes output lines as plain text or as server-sent events, numbering lines from the resume point.</summary>
    private sealed class OutputWriter(HttpResponse response, bool sse, int start)
    {
        private int _next = start;

        public async Task EndAsync(string status, CancellationToken ct)
        {
            if (sse)
            {
                await response.WriteAsync($"event: end\ndata: {status}\n\n", ct);
                await response.Body.FlushAsync(ct);
            }
        }

        public async Task WriteAsync(List<OutputLine> lines, CancellationToken ct)
        {
            if (lines.Count == 0)
            {
                return;
            }

            var text = new StringBuilder();
            foreach (var line in lines)
            {
                _next++;
                if (sse)
                {
                    text.Append(CultureInfo.InvariantCulture, $"id: {_next}\ndata: {line.Text}\n\n");
                }
                else
                {
                    text.Append(line.Text).Append('\n');
                }
            }

            await response.WriteAsync(text.ToString(), ct);
            await response.Body.FlushAsync(ct);
        }
    }
}
