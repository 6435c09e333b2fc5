using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Http;
using Slipway.Server.Slugs;
using Slipway.Server.Sources;

namespace Slipway.Server.Builds;

/// <summary>
/// <c>/apps/{app}/builds</c>: start a build (Heroku's <c>source_blob</c> or Akkeris's flat form),
/// list, show, its result with output, its live output stream, and cancel (<c>DELETE</c>).
/// A build is named by its id or the 8 hex digits that release descriptions show.
/// </summary>
public static partial class BuildsApi
{
    private const int DefaultListLimit = 100;
    private const int MaxListLimit = 1000;

    public static IEndpointRouteBuilder MapBuildsApi(this IEndpointRouteBuilder routes)
    {
        var builds = routes.MapGroup("/apps/{app}/builds");
        builds.MapPost("/", Create);
        builds.MapGet("/", List);
        builds.MapGet("/{build}", Get);
        builds.MapGet("/{build}/result", Result);
        builds.MapGet("/{build}/output", Output).AllowAnonymous();
        builds.MapDelete("/{build}", Cancel);
        return routes;
    }

    /// <summary>Starts a build; the dashboard's deploy form calls this too, so both follow the same rules.</summary>
    internal static async Task<Results<Created<BuildResponse>, ProblemHttpResult>> Create(
        string app,
        CreateBuildRequest request,
        HttpContext http,
        Access access,
        SlipwayDb db,
        BuildQueue queue,
        TimeProvider clock,
        IOptions<BuildOptions> options,
        CancellationToken ct)
    {
        var caller = Caller.Of(http.User);
        var found = await access.FindAppAsync(caller, app, ct);
        if (found is null)
        {
            return AppsApi.AppNotFound(app);
        }

        var parsed = await ParseAsync(request, caller, db, ct);
        if (parsed.Problem is { } problem)
        {
            return ApiProblem.Invalid(problem);
        }

        // Tracked, the user becomes the new build's User, which the response shows.
        await db.Users.SingleAsync(u => u.Id == caller.UserId, ct);
        var deploy = request.Deploy ?? true ? BuildDeploy.Deploy : BuildDeploy.None;
        var server = http.RequestServices.GetRequiredService<ServerIdentity>();
        var build = Build.Create(found.Id, parsed.Source!, deploy, caller.UserId, server.Id, clock.GetUtcNow());
        db.Builds.Add(build);
        await db.SaveChangesAsync(ct);

        if (queue.TryEnqueue(build.Id, found.Id) is null)
        {
            db.Builds.Remove(build);
            await db.SaveChangesAsync(CancellationToken.None);
            return ApiProblem.Of(StatusCodes.Status503ServiceUnavailable, "build_queue_full", $"{options.Value.QueueLimit} builds are already waiting (Slipway:Builds:QueueLimit); try again later.");
        }

        return TypedResults.Created($"/apps/{found.Key}/builds/{build.Id}", BuildMapping.ToResponse(build, found, http.Request, options.Value.Stack));
    }

    /// <summary>The newest builds (<c>?limit=</c>, default 100), oldest first as Heroku lists them.</summary>
    private static async Task<Results<Ok<List<BuildResponse>>, ProblemHttpResult>> List(
        string app, int? limit, HttpContext http, Access access, SlipwayDb db, IOptions<BuildOptions> options, CancellationToken ct)
    {
        var found = await access.FindAppAsync(Caller.Of(http.User), app, ct);
        if (found is null)
        {
            return AppsApi.AppNotFound(app);
        }

        if (limit is < 1 or > MaxListLimit)
        {
            return ApiProblem.BadRequest($"limit must be between 1 and {MaxListLimit}.");
        }

        var rows = await db.Builds.AsNoTracking().Include(b => b.User)
            .Where(b => b.AppId == found.Id)
            .OrderByDescending(b => b.CreatedAt)
            .Take(limit ?? DefaultListLimit)
            .ToListAsync(ct);
        rows.Reverse();
        return TypedResults.Ok(rows.Select(b => BuildMapping.ToResponse(b, found, http.Request, options.Value.Stack)).ToList());
    }

    private static async Task<Results<Ok<BuildResponse>, ProblemHttpResult>> Get(
        string app, string build, HttpContext http, Access access, SlipwayDb db, IOptions<BuildOptions> options, CancellationToken ct)
    {
        var found = await access.FindAppAsync(Caller.Of(http.User), app, ct);
        if (found is null)
        {
            return AppsApi.AppNotFound(app);
        }

        var row = await FindAsync(db, found, build, ct);
        return row is null ? BuildNotFound(build, found) : TypedResults.Ok(BuildMapping.ToResponse(row, found, http.Request, options.Value.Stack));
    }

    /// <summary>Heroku's build result: status, exit code once ended, and every line of output so far.</summary>
    private static async Task<Results<Ok<BuildResultResponse>, ProblemHttpResult>> Result(
        string app, string build, HttpContext http, Access access, SlipwayDb db, BuildQueue queue, CancellationToken ct)
    {
        var found = await access.FindAppAsync(Caller.Of(http.User), app, ct);
        if (found is null)
        {
            return AppsApi.AppNotFound(app);
        }

        var row = await FindAsync(db, found, build, ct);
        if (row is null)
        {
            return BuildNotFound(build, found);
        }

        var lines = queue.Find(row.Id) is { } job ? job.Output.Snapshot() : await StoredLinesAsync(db, row.Id, ct);
        int? exit = row.Status switch
        {
            BuildStatus.Succeeded => 0,
            BuildStatus.Failed => 1,
            _ => null,
        };
        return TypedResults.Ok(new BuildResultResponse(
            new BuildResultBuild(row.Id, BuildMapping.StatusOf(row), BuildMapping.OutputStreamUrl(row, found, http.Request)),
            exit,
            row.FailureReason,
            [.. lines.Select(l => new BuildLine(l.Text, l.Err ? "stderr" : "stdout"))]));
    }

    /// <summary>
    /// Streams the output: everything so far, then each line as it comes, until the build ends.
    /// Plain text by default, <c>text/event-stream</c> (line numbers as event ids) when the
    /// client accepts it. Resumes after <c>Last-Event-ID</c> or <c>?offset=</c> (lines to skip).
    /// Works with the app's access or with the build's <c>key</c> from <c>output_stream_url</c>.
    /// </summary>
    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> Output(
        string app,
        string build,
        string? key,
        int? offset,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventId,
        HttpContext http,
        IServiceProvider services,
        SlipwayDb db,
        BuildQueue queue,
        CancellationToken ct)
    {
        Build? row;
        if (key is not null)
        {
            row = Guid.TryParse(build, out var id) ? await db.Builds.AsNoTracking().FirstOrDefaultAsync(b => b.Id == id, ct) : null;
            if (row is null || !KeyMatches(row.OutputKey, key))
            {
                return ApiProblem.NotFound($"Build '{build}' not found.");
            }
        }
        else if (http.User.Identity?.IsAuthenticated == true)
        {
            var found = await services.GetRequiredService<Access>().FindAppAsync(Caller.Of(http.User), app, ct);
            row = found is null ? null : await FindAsync(db, found, build, ct);
            if (row is null)
            {
                return found is null ? AppsApi.AppNotFound(app) : BuildNotFound(build, found);
            }
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
        http.Response.ContentType = sse ? "text/event-stream" : "text/plain; charset=utf-8";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        await http.Response.StartAsync(ct);

        // Headers go out now, not with the first line: a resumed stream may have nothing new for a while.
        await http.Response.Body.FlushAsync(ct);
        var writer = new OutputWriter(http.Response, sse, start);
        try
        {
            if (queue.Find(row.Id) is { } job)
            {
                await writer.FollowAsync(job.Output, ct);
            }
            else
            {
                // Ended, or running on another server: then wait for its end and send what it kept.
                var status = row.Status;
                while (status == BuildStatus.Pending)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), ct);
                    status = await db.Builds.Where(b => b.Id == row.Id).Select(b => b.Status).SingleAsync(ct);
                }

                await writer.WriteAsync(await StoredLinesAsync(db, row.Id, ct), ct);
            }

            var final = await db.Builds.Where(b => b.Id == row.Id).Select(b => b.Status).SingleAsync(ct);
            await writer.EndAsync(final.ToString().ToLowerInvariant(), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away.
        }

        return TypedResults.Empty;
    }

    /// <summary>Cancels a queued or running build: its processes are killed and it fails with the reason. 202 while that happens.</summary>
    private static async Task<Results<Accepted<BuildResponse>, ProblemHttpResult>> Cancel(
        string app, string build, HttpContext http, Access access, SlipwayDb db, BuildQueue queue, BuildRunner runner, IOptions<BuildOptions> options, CancellationToken ct)
    {
        var caller = Caller.Of(http.User);
        var found = await access.FindAppAsync(caller, app, ct);
        if (found is null)
        {
            return AppsApi.AppNotFound(app);
        }

        var row = await FindAsync(db, found, build, ct);
        if (row is null)
        {
            return BuildNotFound(build, found);
        }

        if (row.Status != BuildStatus.Pending)
        {
            return ApiProblem.Conflict($"Build {row.Id} has already {BuildMapping.StatusOf(row)}; only a pending build can be cancelled.");
        }

        if (queue.Find(row.Id) is not { } job)
        {
            return ApiProblem.Conflict($"Build {row.Id} is not running on this server, which cannot cancel it.");
        }

        var email = await db.Users.Where(u => u.Id == caller.UserId).Select(u => u.Email).SingleAsync(ct);
        if (job.Cancel($"Cancelled by {email}."))
        {
            await runner.FailQueuedAsync(job, job.CancelReason!);
            row = await FindAsync(db, found, row.Id.ToString(), ct);
        }

        return TypedResults.Accepted($"/apps/{found.Key}/builds/{row!.Id}", BuildMapping.ToResponse(row, found, http.Request, options.Value.Stack));
    }

    /// <summary>A build of this app by id, or by the 8 hex digits of its id (the newest, should two share them).</summary>
    private static Task<Build?> FindAsync(SlipwayDb db, App app, string reference, CancellationToken ct)
    {
        var builds = db.Builds.AsNoTracking().Include(b => b.User).Where(b => b.AppId == app.Id);
        if (Guid.TryParse(reference, out var id))
        {
            return builds.FirstOrDefaultAsync(b => b.Id == id, ct);
        }

        return ShortIdPattern().IsMatch(reference)
            ? builds.Where(b => b.ShortId == reference.ToLowerInvariant()).OrderByDescending(b => b.CreatedAt).FirstOrDefaultAsync(ct)
            : Task.FromResult<Build?>(null);
    }

    private static async Task<List<OutputLine>> StoredLinesAsync(SlipwayDb db, Guid buildId, CancellationToken ct) =>
        await db.BuildLogs.AsNoTracking().Where(l => l.BuildId == buildId).Select(l => l.Lines).FirstOrDefaultAsync(ct) ?? [];

    private static bool KeyMatches(string expected, string given) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(given));

    private static ProblemHttpResult BuildNotFound(string reference, App app) => ApiProblem.NotFound($"Build '{reference}' not found for {app.Key}.");

    /// <summary>Turns a create request (either form) into a checked source, or says what is wrong.</summary>
    private static async Task<(BuildSource? Source, string? Problem)> ParseAsync(CreateBuildRequest request, Caller caller, SlipwayDb db, CancellationToken ct)
    {
        var blob = request.SourceBlob;
        var url = SourceUrls.Parse(blob?.Url ?? request.Url);
        if (url is null)
        {
            return (null, $"source_blob.url (or url) must be an http(s) URL of at most {SourceUrls.MaxLength} characters to a .zip or .tar.gz archive, or the get_url of POST /sources.");
        }

        var given = (blob?.Checksum ?? request.Checksum)?.Trim();
        string? checksum = null;
        if (given is { Length: > 0 } && (checksum = Checksum.Normalize(given)) is null)
        {
            return (null, Checksum.Rule);
        }

        var version = Clean(blob?.Version ?? request.Version);
        var sha = Clean(request.Sha);
        var message = Clean(request.Message ?? blob?.VersionDescription);
        var fields = new (string Name, string? Value, int Max)[]
        {
            ("version", version, 256), ("sha", sha, 64), ("author", Clean(request.Author), 256), ("message", message, 10_000),
            ("repo", Clean(request.Repo), 2048), ("branch", Clean(request.Branch), 256),
        };
        if (fields.FirstOrDefault(f => f.Value?.Length > f.Max) is { Name: { } tooLong } field)
        {
            return (null, $"{tooLong} is longer than {field.Max} characters.");
        }

        if (sha is not null && !CommitPattern().IsMatch(sha))
        {
            return (null, "sha must be a git commit id (7 to 64 hex digits).");
        }

        // Heroku clients put the commit in source_blob.version.
        var commit = sha?.ToLowerInvariant() ?? (version is not null && CommitPattern().IsMatch(version) ? version.ToLowerInvariant() : null);

        Guid? uploadId = null;
        if (SourceUrls.TryUploadId(url, out var id) && await db.SourceUploads.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct) is { } upload)
        {
            if (upload.UserId != caller.UserId && !caller.IsAdmin)
            {
                return (null, $"Source {id} not found.");
            }

            if (!upload.Uploaded)
            {
                return (null, $"Source {id} has no content yet: PUT the archive to its put_url first.");
            }

            uploadId = upload.Id;
        }

        return (new BuildSource(url.OriginalString.Trim(), checksum, version, commit, Clean(request.Author), message, Clean(request.Repo), Clean(request.Branch), uploadId), null);
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Writes output lines as plain text or as server-sent events, numbering lines from the resume point.</summary>
    private sealed class OutputWriter(HttpResponse response, bool sse, int start)
    {
        private int _next = start;

        public async Task FollowAsync(BuildOutput output, CancellationToken ct)
        {
            while (true)
            {
                var (lines, completed, changed) = output.Read(_next);
                await WriteNewAsync(lines, ct);
                if (completed)
                {
                    return;
                }

                if (lines.Count == 0)
                {
                    await changed.WaitAsync(ct);
                }
            }
        }

        public Task WriteAsync(List<OutputLine> all, CancellationToken ct) =>
            WriteNewAsync(_next < all.Count ? all.GetRange(_next, all.Count - _next) : [], ct);

        public async Task EndAsync(string status, CancellationToken ct)
        {
            if (sse)
            {
                await response.WriteAsync($"event: end\ndata: {status}\n\n", ct);
                await response.Body.FlushAsync(ct);
            }
        }

        private async Task WriteNewAsync(List<OutputLine> lines, CancellationToken ct)
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

    [GeneratedRegex("^[0-9a-fA-F]{7,64}$")]
    private static partial Regex CommitPattern();

    [GeneratedRegex("^[0-9a-fA-F]{8}$")]
    private static partial Regex ShortIdPattern();
}
