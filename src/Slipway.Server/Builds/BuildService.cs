using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Features;
using Slipway.Server.Http;
using Slipway.Server.Runtime;
using Slipway.Server.Slugs;
using Slipway.Server.Sources;

namespace Slipway.Server.Builds;

/// <summary>A build with every line of output it has so far.</summary>
public sealed record BuildResult(Build Build, IReadOnlyList<OutputLine> Lines);

/// <summary>
/// Builds, for the API, the dashboard and auto-deploy alike: a build is recorded and queued here
/// and nowhere else (the engine runs it), and found, listed and cancelled by the same rules.
/// A build is named by its id or the 8 hex digits that release descriptions show.
/// </summary>
public sealed partial class BuildService(
    SlipwayDb db, BuildQueue queue, BuildRunner runner, ServerIdentity server, FeatureService features, ProcessIsolation isolation, TimeProvider clock, IOptions<BuildOptions> options)
{
    public const int DefaultListLimit = 100;
    public const int MaxListLimit = 1000;

    /// <summary>How often a build that is not followed live is looked at until it ends.</summary>
    private static readonly TimeSpan EndPoll = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Starts a build from a request (Heroku's <c>source_blob</c> or Akkeris's flat form). It releases
    /// once it has succeeded when the request says <c>"deploy": true</c>, or says nothing and the app's
    /// <c>auto-release</c> feature is on; otherwise it stops at succeeded.
    /// </summary>
    public async Task<Answer<Build>> CreateAsync(App app, Caller caller, CreateBuildRequest request, CancellationToken ct)
    {
        if (isolation.RefuseDeploy(caller) is { } unisolated)
        {
            return unisolated;
        }

        var source = await SourceOfAsync(request, caller, ct);
        if (source.Refused)
        {
            return source.Refusal;
        }

        // Tracked, the user becomes the new build's User, which the answer shows.
        await db.Users.SingleAsync(u => u.Id == caller.UserId, ct);
        var deploy = request.Deploy ?? await features.IsEnabledAsync(app.Id, FeatureCatalog.AutoRelease, ct);
        var build = Build.Create(app.Id, source.Value, deploy ? BuildDeploy.Deploy : BuildDeploy.None, caller.UserId, server.Id, clock.GetUtcNow());
        db.Builds.Add(build);
        await db.SaveChangesAsync(ct);
        if (queue.TryEnqueue(build.Id, app.Id) is null)
        {
            // The client is told to try again, so nothing is kept.
            db.Builds.Remove(build);
            await db.SaveChangesAsync(CancellationToken.None);
            return new Refusal(StatusCodes.Status503ServiceUnavailable, "build_queue_full", $"{options.Value.QueueLimit} builds are already waiting (Slipway:Builds:QueueLimit); try again later.");
        }

        return build;
    }

    /// <summary>
    /// Starts a build of a source the platform fetched itself (auto-deploy's commits). What
    /// <paramref name="alongside"/> gives is saved with the build in one transaction (auto-deploy's
    /// one build per commit): when it meets a unique key, nothing is recorded and the answer is
    /// null, as someone else started this build. When <paramref name="failure"/> says why the
    /// source could not be had, the build is recorded as failed with that reason; so is a build
    /// the queue has no room for, as nobody is there to be told to try again, and a build for a
    /// non-admin while the server cannot isolate processes (<see cref="ProcessIsolation.RefuseDeploy"/>).
    /// </summary>
    public async Task<Build?> StartAsync(
        Guid appId, Guid userId, BuildSource source, BuildDeploy deploy, Func<Build, IEnumerable<object>> alongside, string? failure, CancellationToken ct)
    {
        if (failure is null && !isolation.Isolated)
        {
            var isAdmin = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.IsAdmin).FirstOrDefaultAsync(ct);
            failure = isolation.RefuseDeploy(new Caller(userId, isAdmin))?.Message;
        }

        var build = Build.Create(appId, source, deploy, userId, server.Id, clock.GetUtcNow());
        db.Builds.Add(build);
        db.AddRange(alongside(build));
        if (!await db.TrySaveUniqueAsync(ct))
        {
            return null;
        }

        if (failure is null && queue.TryEnqueue(build.Id, appId) is not null)
        {
            return build;
        }

        await runner.FailQueuedAsync(
            new BuildJob(build.Id, appId, options.Value.MaxOutputBytes),
            failure ?? $"{options.Value.QueueLimit} builds were already waiting (Slipway:Builds:QueueLimit).");
        return build;
    }

    /// <summary>The newest builds (<paramref name="limit"/>, default 100), oldest first as Heroku lists them.</summary>
    public async Task<Answer<List<Build>>> ListAsync(App app, int? limit, CancellationToken ct)
    {
        if (limit is < 1 or > MaxListLimit)
        {
            return Refusal.BadRequest($"limit must be between 1 and {MaxListLimit}.");
        }

        var rows = await NewestAsync(app, limit ?? DefaultListLimit, ct);
        rows.Reverse();
        return rows;
    }

    /// <summary>The app's <paramref name="count"/> newest builds, newest first, with their users.</summary>
    public async Task<List<Build>> NewestAsync(App app, int count, CancellationToken ct) =>
        await db.Builds.AsNoTracking().Include(b => b.User)
            .Where(b => b.AppId == app.Id)
            .OrderByDescending(b => b.CreatedAt)
            .Take(count)
            .ToListAsync(ct);

    /// <summary>A build of this app by id, or by the 8 hex digits of its id (the newest, should two share them); untracked, with its user.</summary>
    public async Task<Answer<Build>> FindAsync(App app, string reference, CancellationToken ct)
    {
        var builds = db.Builds.AsNoTracking().Include(b => b.User).Where(b => b.AppId == app.Id);
        var build = Guid.TryParse(reference, out var id)
            ? await builds.FirstOrDefaultAsync(b => b.Id == id, ct)
            : ShortIdPattern().IsMatch(reference)
                ? await builds.Where(b => b.ShortId == reference.ToLowerInvariant()).OrderByDescending(b => b.CreatedAt).FirstOrDefaultAsync(ct)
                : null;
        return build is null ? Refusal.NotFound($"Build '{reference}' not found for {app.Key}.") : build;
    }

    /// <summary>A build by id, for whoever holds its output key (<c>output_stream_url</c> needs no token).</summary>
    public async Task<Build?> FindByOutputKeyAsync(string reference, string key, CancellationToken ct)
    {
        var build = Guid.TryParse(reference, out var id) ? await db.Builds.AsNoTracking().FirstOrDefaultAsync(b => b.Id == id, ct) : null;
        return build is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(build.OutputKey), Encoding.UTF8.GetBytes(key)) ? build : null;
    }

    /// <summary>Heroku's build result: the build and every line of output so far.</summary>
    public async Task<Answer<BuildResult>> ResultAsync(App app, string reference, CancellationToken ct)
    {
        var found = await FindAsync(app, reference, ct);
        if (found.Refused)
        {
            return found.Refusal;
        }

        var lines = LiveOutput(found.Value.Id) is { } live ? live.Snapshot() : await StoredLinesAsync(found.Value.Id, ct);
        return new BuildResult(found.Value, lines);
    }

    /// <summary>The output of a build queued or running on this server, as it grows; null otherwise.</summary>
    public BuildOutput? LiveOutput(Guid buildId) => queue.Find(buildId)?.Output;

    /// <summary>The output kept once a build ended (empty before).</summary>
    public async Task<List<OutputLine>> StoredLinesAsync(Guid buildId, CancellationToken ct) =>
        await db.BuildLogs.AsNoTracking().Where(l => l.BuildId == buildId).Select(l => l.Lines).FirstOrDefaultAsync(ct) ?? [];

    /// <summary>
    /// The output so far and whether it is all there: the build ended and its output is complete.
    /// One look, for clients that poll (Akkeris's JSON output) rather than follow a stream.
    /// </summary>
    public async Task<(List<OutputLine> Lines, bool Ended)> OutputSoFarAsync(Guid buildId, CancellationToken ct)
    {
        if (LiveOutput(buildId) is { } live)
        {
            var (lines, completed, _) = live.Read(0);
            return (lines, completed);
        }

        var status = await StatusAsync(buildId, ct);
        var kept = await db.BuildLogs.AsNoTracking().Where(l => l.BuildId == buildId).Select(l => l.Lines).FirstOrDefaultAsync(ct);
        return (kept ?? [], kept is not null || status != BuildStatus.Pending);
    }

    /// <summary>
    /// Hands on the build's output from line <paramref name="start"/> as it is written, to its end,
    /// and answers how the build ended. A build running here is followed live; one that ended, or
    /// runs on another server, is waited for and its kept output handed on then.
    /// </summary>
    public async Task<BuildStatus> FollowOutputAsync(Guid buildId, int start, Func<List<OutputLine>, CancellationToken, Task> write, CancellationToken ct)
    {
        var next = start;
        async Task WriteNewAsync(List<OutputLine> lines)
        {
            if (lines.Count > 0)
            {
                next += lines.Count;
                await write(lines, ct);
            }
        }

        if (LiveOutput(buildId) is { } output)
        {
            while (true)
            {
                var (lines, completed, changed) = output.Read(next);
                await WriteNewAsync(lines);
                if (completed)
                {
                    break;
                }

                if (lines.Count == 0)
                {
                    await changed.WaitAsync(ct);
                }
            }
        }
        else
        {
            while (await StatusAsync(buildId, ct) == BuildStatus.Pending)
            {
                await Task.Delay(EndPoll, clock, ct);
            }

            var kept = await StoredLinesAsync(buildId, ct);
            await WriteNewAsync(next < kept.Count ? kept.GetRange(next, kept.Count - next) : []);
        }

        return await StatusAsync(buildId, ct);
    }

    public Task<BuildStatus> StatusAsync(Guid buildId, CancellationToken ct) =>
        db.Builds.Where(b => b.Id == buildId).Select(b => b.Status).SingleAsync(ct);

    /// <summary>
    /// Cancels a queued or running build of this server: its processes are killed and it fails
    /// with the reason. Answers the build as it is now (still pending while that happens).
    /// </summary>
    public async Task<Answer<Build>> CancelAsync(App app, Caller caller, string reference, CancellationToken ct)
    {
        var found = await FindAsync(app, reference, ct);
        if (found.Refused)
        {
            return found.Refusal;
        }

        var build = found.Value;
        if (build.Status != BuildStatus.Pending)
        {
            return Refusal.Conflict($"Build {build.Id} has already {BuildMapping.StatusOf(build)}; only a pending build can be cancelled.");
        }

        if (queue.Find(build.Id) is not { } job)
        {
            return Refusal.Conflict($"Build {build.Id} is not running on this server, which cannot cancel it.");
        }

        var email = await db.Users.Where(u => u.Id == caller.UserId).Select(u => u.Email).SingleAsync(ct);
        if (!job.Cancel($"Cancelled by {email}."))
        {
            return build;
        }

        await runner.FailQueuedAsync(job, job.CancelReason!);
        return await FindAsync(app, build.Id.ToString(), ct);
    }

    /// <summary>Turns a create request (either form) into a checked source.</summary>
    private async Task<Answer<BuildSource>> SourceOfAsync(CreateBuildRequest request, Caller caller, CancellationToken ct)
    {
        var blob = request.SourceBlob;
        var url = SourceUrls.Parse(blob?.Url ?? request.Url);
        if (url is null)
        {
            return Refusal.Invalid($"source_blob.url (or url) must be an http(s) URL of at most {SourceUrls.MaxLength} characters to a .zip or .tar.gz archive, or the get_url of POST /sources.", nameof(request.Url));
        }

        var given = (blob?.Checksum ?? request.Checksum)?.Trim();
        string? checksum = null;
        if (given is { Length: > 0 } && (checksum = Checksum.Normalize(given)) is null)
        {
            return Refusal.Invalid(Checksum.Rule);
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
            return Refusal.Invalid($"{tooLong} is longer than {field.Max} characters.");
        }

        if (sha is not null && !CommitPattern().IsMatch(sha))
        {
            return Refusal.Invalid("sha must be a git commit id (7 to 64 hex digits).");
        }

        // Heroku clients put the commit in source_blob.version.
        var commit = sha?.ToLowerInvariant() ?? (version is not null && CommitPattern().IsMatch(version) ? version.ToLowerInvariant() : null);

        Guid? uploadId = null;
        if (SourceUrls.TryUploadId(url, out var id) && await db.SourceUploads.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct) is { } upload)
        {
            if (upload.UserId != caller.UserId && !caller.IsAdmin)
            {
                return Refusal.Invalid($"Source {id} not found.", nameof(request.Url));
            }

            if (!upload.Uploaded)
            {
                return Refusal.Invalid($"Source {id} has no content yet: PUT the archive to its put_url first.", nameof(request.Url));
            }

            uploadId = upload.Id;
        }

        return new BuildSource(url.OriginalString.Trim(), checksum, version, commit, Clean(request.Author), message, Clean(request.Repo), Clean(request.Branch), uploadId);
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [GeneratedRegex("^[0-9a-fA-F]{7,64}$")]
    private static partial Regex CommitPattern();

    [GeneratedRegex("^[0-9a-fA-F]{8}$")]
    private static partial Regex ShortIdPattern();
}
