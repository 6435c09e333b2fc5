using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Server.Accounts;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Hooks;
using Slipway.Server.Releases;
using Slipway.Server.Runtime;
using Slipway.Server.Slugs;
using Slipway.Server.Sources;
using Slipway.Server.Unpacking;

namespace Slipway.Server.Builds;

/// <summary>
/// Runs one build, start to end: fetch the source, unpack it (checked), pick the buildpack,
/// reuse an earlier slug of the same source and buildpack or compile and pack a new one, store
/// it, and release it when the build deploys. Every build gets a fresh workspace that is removed
/// whatever happens; a failed build keeps no slug and makes no release. Never throws.
/// </summary>
public sealed partial class BuildRunner(
    IServiceScopeFactory scopes,
    IDbContextFactory<SlipwayDb> dbs,
    BuildpackCatalog buildpacks,
    SourceFetcher fetcher,
    ISlugStore slugStore,
    BuildPaths paths,
    ProcessLauncher launcher,
    ProcessIsolation isolation,
    IOptions<BuildOptions> buildOptions,
    IOptions<SlipwayOptions> slipwayOptions,
    TimeProvider clock,
    HookEvents hooks,
    ILogger<BuildRunner> logger)
{
    /// <summary>The apps whose cache a build is using: one build per app uses it at a time, a second one builds without it.</summary>
    private readonly ConcurrentDictionary<Guid, byte> _cachesInUse = new();

    private BuildOptions Options => buildOptions.Value;

    /// <summary>Runs the build of a job; <paramref name="ct"/> is cancelled when the build is cancelled or the server stops.</summary>
    public async Task RunAsync(BuildJob job, CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
        linked.CancelAfter(Options.Timeout);
        var output = job.Output;
        var work = paths.WorkOf(job.BuildId);
        var archive = Path.Combine(paths.Incoming, job.BuildId.ToString("N") + ".source");
        var packed = Path.Combine(paths.Incoming, job.BuildId.ToString("N") + ".slug.tar.gz");
        Log.BuildStarted(logger, job.BuildId);
        Result? result = null;
        string? failure = null;
        try
        {
            Directory.CreateDirectory(paths.Incoming);
            result = await BuildAsync(job, work, archive, packed, linked.Token);
        }
        catch (BuildFailedException e)
        {
            failure = e.Message;
        }
        catch (ArchiveRejectedException e)
        {
            failure = e.Message;
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            failure = job.CancelReason
                ?? (ct.IsCancellationRequested ? "The server stopped before the build finished." : $"The build took longer than {Options.Timeout} (Slipway:Builds:Timeout) and was stopped.");
        }
        catch (Exception e)
        {
            Log.BuildCrashed(logger, e, job.BuildId);
            failure = $"The build failed on an internal error: {e.Message}";
        }
        finally
        {
            BuildPaths.Remove(work);
            BuildPaths.Remove(archive);
            BuildPaths.Remove(packed);
        }

        if (failure is not null)
        {
            output.Write("");
            output.Write(" !     " + failure, err: true);
            output.Write(" !     Build failed", err: true);
            job.Fail(failure);
            await FinishFailedAsync(job, failure);
        }
        else
        {
            await FinishSucceededAsync(job, result!);
        }
    }

    /// <summary>Ends a build that was cancelled before the engine took it.</summary>
    public async Task FailQueuedAsync(BuildJob job, string reason)
    {
        job.Output.Write(" !     " + reason, err: true);
        await FinishFailedAsync(job, reason);
    }

    private async Task<Result> BuildAsync(BuildJob job, string work, string archive, string packed, CancellationToken ct)
    {
        var output = job.Output;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SlipwayDb>();
        var build = await db.Builds.SingleAsync(b => b.Id == job.BuildId, ct);
        var app = await db.Apps.AsNoTracking().Include(a => a.Space).SingleAsync(a => a.Id == build.AppId, ct);
        output.Heading($"Building {app.Key} (build {build.ShortId}) on the {Options.Stack} stack");

        output.Heading($"Fetching source {SourceUrls.ForDisplay(build.SourceUrl)}");
        FetchedSource fetched;
        using (BuildSteps.Start("fetch"))
        {
            fetched = await fetcher.FetchAsync(build, archive, ct);
        }

        output.Info($"Received {Size(fetched.Size)}, SHA256:{fetched.Digest}");
        if (build.SourceChecksum is { } promised && promised != Checksum.Of(fetched.Digest))
        {
            throw new BuildFailedException($"Checksum mismatch: the build promised {promised} but the source is SHA256:{fetched.Digest}.");
        }

        build.RecordSource(fetched.Digest, clock.GetUtcNow());

        // A build compiles with the config of the release it will build on.
        IReadOnlyDictionary<string, string> config;
        using (BuildSteps.Start("database"))
        {
            await db.SaveChangesAsync(ct);
            config = (await ReleaseQueries.CurrentAsync(db, app.Id, ct))?.ConfigVars ?? [];
        }

        // The same source detected before: its reuse key is known without unpacking or detecting,
        // and a slug built under that key needs neither.
        var detection = buildpacks.DetectionKey(fetched.Digest, config.GetValueOrDefault("BUILDPACK_URL"));
        if (detection is not null && buildpacks.Remembered(detection) is { } known)
        {
            RecordBuildpack(build, known, fetched.Digest, config);
            using (BuildSteps.Start("database"))
            {
                await db.SaveChangesAsync(ct);
            }

            if (await ReuseAsync(db, build, output, ct) is { } early)
            {
                output.Info($"{known.Name} app, as detected for this source before: not unpacked again");
                return await ReleaseIfDeployingAsync(scope, db, build, app, early, output);
            }
        }

        var buildDir = Path.Combine(work, "build");
        Directory.CreateDirectory(work);
        UnpackedArchive unpacked;
        using (BuildSteps.Start("unpack"))
        {
            unpacked = ArchiveExtractor.Extract(archive, buildDir, ArchiveRules.ForSources(Options, slipwayOptions.Value.Archives), ct);
        }

        BuildPaths.Remove(archive);
        output.Info($"Unpacked {unpacked.Files} files ({Size(unpacked.Bytes)}) from a {Describe(unpacked.Kind)}{(unpacked.StrippedFolder is { } top ? $", inside {top}/" : "")}");

        var env = ProcessLauncher.ToolEnvironment();
        env["STACK"] = Options.Stack;
        env["SOURCE_VERSION"] = build.Commit ?? build.SourceVersion ?? fetched.Digest;
        buildpacks.AddToolchains(env);
        var sandbox = SandboxOf(build.AppId, work, buildDir, env);
        Buildpack buildpack;
        using (BuildSteps.Start("detect"))
        {
            buildpack = await buildpacks.SelectAsync(config.GetValueOrDefault("BUILDPACK_URL"), buildDir, work, env, sandbox, output, ct);
        }

        if (detection is not null)
        {
            buildpacks.Remember(detection, buildpack);
        }

        output.Heading($"{buildpack.Name} app detected");
        RecordBuildpack(build, buildpack, fetched.Digest, config);
        using (BuildSteps.Start("database"))
        {
            await db.SaveChangesAsync(ct);
        }

        var result = await ReuseAsync(db, build, output, ct)
            ?? await CompileAsync(db, build, buildpack, buildDir, work, packed, config, env, sandbox, output, ct);
        return await ReleaseIfDeployingAsync(scope, db, build, app, result, output);
    }

    private void RecordBuildpack(Build build, Buildpack buildpack, string sourceDigest, IReadOnlyDictionary<string, string> config)
    {
        using (BuildSteps.Start("reuse-key"))
        {
            build.RecordBuildpack(buildpack.Url, buildpack.Name, SlugReuse.KeyOf(sourceDigest, buildpack, config), clock.GetUtcNow());
        }
    }

    private async Task<Result> ReleaseIfDeployingAsync(AsyncServiceScope scope, SlipwayDb db, Build build, App app, Result result, BuildOutput output)
    {
        if (build.Deploy != BuildDeploy.None)
        {
            output.Heading("Launching...");

            // Not cancellable: once the release is being made, the build must end succeeded with it.
            Release? release;
            string? superseded;
            using (BuildSteps.Start("release"))
            {
                (release, superseded) = await ReleaseAsync(scope.ServiceProvider.GetRequiredService<ReleaseService>(), db, build, app, result.SlugId, clock, CancellationToken.None);
            }

            if (release is not null)
            {
                output.Info($"Released v{release.Version}");
                result = result with { ReleaseId = release.Id, ReleaseVersion = release.Version };
            }
            else
            {
                output.Info($"Not released: {superseded}");
                result = result with { Notes = $"Not released: {superseded}." };
            }
        }

        return result;
    }

    /// <summary>
    /// The sandbox of the build's steps: the build folder writable (the cache too, for bin/compile),
    /// the built-in buildpacks read-only and, when isolated, a HOME of its own in the workspace
    /// (the server's is not there to write to).
    /// </summary>
    private ProcessSandbox SandboxOf(Guid appId, string work, string buildDir, Dictionary<string, string> env)
    {
        List<string> writable = [buildDir];
        if (isolation.Isolated)
        {
            var home = Path.Combine(work, "home");
            Directory.CreateDirectory(home);
            env["HOME"] = home;
            writable.Add(home);
        }

        // The built-in buildpacks share their lib/ folder: all of them are shown.
        return new ProcessSandbox(appId, Directory.Exists(Options.FullBuildpacksDir) ? [Options.FullBuildpacksDir] : [], writable);
    }

    /// <summary>"Same source, same slug": an earlier succeeded build of this app with the same <see cref="Build.ReuseKey"/> (see <see cref="SlugReuse"/>).</summary>
    private async Task<Result?> ReuseAsync(SlipwayDb db, Build build, BuildOutput output, CancellationToken ct)
    {
        using var step = BuildSteps.Start("reuse");
        var earlier = await db.Builds.AsNoTracking()
            .Where(b => b.AppId == build.AppId && b.Id != build.Id && b.Status == BuildStatus.Succeeded
                && b.ReuseKey == build.ReuseKey && b.SlugId != null)
            .OrderByDescending(b => b.CreatedAt)
            .Select(b => new { b.ShortId, b.SlugId })
            .FirstOrDefaultAsync(ct);
        var slug = earlier is null ? null : await db.Slugs.AsNoTracking().FirstOrDefaultAsync(s => s.Id == earlier.SlugId && s.Uploaded, ct);
        if (slug is null || !await slugStore.ExistsAsync(slug.Digest, ct))
        {
            return null;
        }

        output.Heading($"Same source, buildpack and build-time config vars as build {earlier!.ShortId}: reusing its slug {slug.Id}, nothing to compile");
        output.Info($"Process types: {Describe(slug.ProcessTypes)}");

        // A slug of its own (its id is the build's) on the same bytes: releases name the build they came from.
        var now = clock.GetUtcNow();
        var reused = slug.ReusedAs(build.Id, build.Commit, build.Message, now);
        db.Slugs.Add(reused);
        build.RecordSlug(reused.Id, reused: true, now);
        await db.SaveChangesAsync(ct);
        return new Result(reused.Id);
    }

    private async Task<Result> CompileAsync(
        SlipwayDb db,
        Build build,
        Buildpack buildpack,
        string buildDir,
        string work,
        string packed,
        IReadOnlyDictionary<string, string> config,
        Dictionary<string, string> env,
        ProcessSandbox sandbox,
        BuildOutput output,
        CancellationToken ct)
    {
        var envDir = Path.Combine(work, "env");
        Directory.CreateDirectory(envDir);
        foreach (var (name, value) in SlugReuse.BuildConfig(config))
        {
            // Config var names are checked when set; the filter only keeps files inside ENV_DIR.
            await File.WriteAllTextAsync(Path.Combine(envDir, name), value, ct);
        }

        var compile = buildpack.Script("compile") ?? throw new BuildFailedException($"Buildpack {SourceUrls.ForDisplay(buildpack.Url)} has no bin/compile.");
        BuildpackCatalog.EnsureExecutable(buildpack, compile);
        var ownsCache = _cachesInUse.TryAdd(build.AppId, 0);
        try
        {
            var cacheDir = paths.CacheOf(build.AppId);
            if (!ownsCache)
            {
                output.Heading("Another build of this app is using its cache: building without it");
                cacheDir = Path.Combine(work, "cache");
            }

            Directory.CreateDirectory(cacheDir);
            var step = new ProcessSpec(compile, [buildDir, cacheDir, envDir], buildDir, env)
            {
                Sandbox = sandbox with { ReadOnly = [.. sandbox.ReadOnly, buildpack.Dir, envDir], Writable = [.. sandbox.Writable, cacheDir] },
            };
            int exit;
            using (BuildSteps.Start("compile"))
            {
                exit = await launcher.RunAsync(step, (line, err) => output.Write(line, err), ct);
            }

            if (exit != 0)
            {
                throw new BuildFailedException($"bin/compile of buildpack {SourceUrls.ForDisplay(buildpack.Url)} failed with exit code {exit}.");
            }
        }
        finally
        {
            if (ownsCache)
            {
                _cachesInUse.TryRemove(build.AppId, out _);
            }
        }

        var defaults = new Dictionary<string, string>(StringComparer.Ordinal);
        if (buildpack.Script("release") is { } release)
        {
            BuildpackCatalog.EnsureExecutable(buildpack, release);
            var step = new ProcessSpec(release, [buildDir], buildDir, env) { Sandbox = sandbox with { ReadOnly = [.. sandbox.ReadOnly, buildpack.Dir] } };
            int exit;
            List<string> yaml;
            using (BuildSteps.Start("bin/release"))
            {
                (exit, yaml) = await launcher.CaptureAsync(step, line => output.Write(line, err: true), ct);
            }

            if (exit != 0)
            {
                throw new BuildFailedException($"bin/release of buildpack {SourceUrls.ForDisplay(buildpack.Url)} failed with exit code {exit}.");
            }

            defaults = ProcessTypes.ParseReleaseYaml(string.Join('\n', yaml));
        }

        var procfilePath = Path.Combine(buildDir, "Procfile");
        var procfile = new Dictionary<string, string>(StringComparer.Ordinal);
        output.Heading("Discovering process types");
        if (File.Exists(procfilePath) && !File.GetAttributes(procfilePath).HasFlag(FileAttributes.ReparsePoint))
        {
            procfile = ProcessTypes.ParseProcfile(await File.ReadAllTextAsync(procfilePath, ct), out var ignored);
            foreach (var line in ignored)
            {
                output.Info($"Procfile {line} is not 'name: command'; ignored");
            }

            output.Info($"Procfile declares types     -> {Describe(procfile.Keys)}");
        }

        output.Info($"Default types for buildpack -> {Describe(defaults.Keys)}");
        var processTypes = ProcessTypes.Merge(defaults, procfile);
        if (ProcessTypes.BoundsProblem(processTypes) is { } tooLarge)
        {
            throw new BuildFailedException(tooLarge);
        }

        output.Heading("Compressing...");
        PackedSlug slugFile;
        using (BuildSteps.Start("pack"))
        {
            slugFile = await SlugPacker.PackAsync(buildDir, packed, ct);
        }

        if (slugFile.Size > slipwayOptions.Value.Slugs.MaxBytes)
        {
            throw new BuildFailedException($"The slug is {Size(slugFile.Size)}, more than the {Size(slipwayOptions.Value.Slugs.MaxBytes)} allowed (Slipway:Slugs:MaxBytes).");
        }

        using (BuildSteps.Start("store"))
        await using (var content = File.OpenRead(packed))
        {
            var stored = await slugStore.PutAsync(slugFile.Digest, content, slipwayOptions.Value.Slugs.MaxBytes, ct);
            if (stored.Status != SlugPutStatus.Stored)
            {
                throw new BuildFailedException(stored.Problem is { } problem ? $"The slug is refused: {problem}" : $"The slug could not be stored ({stored.Status}).");
            }
        }

        output.Info($"Done: {Size(slugFile.Size)}");
        var now = clock.GetUtcNow();
        var slug = Slug.Create(build.AppId, Checksum.Of(slugFile.Digest), slugFile.Size, processTypes, build.Commit, build.Message, now, build.Id);
        slug.MarkUploaded(slugFile.Size, now);
        db.Slugs.Add(slug);
        build.RecordSlug(slug.Id, reused: false, now);
        using (BuildSteps.Start("database"))
        {
            await db.SaveChangesAsync(ct);
        }

        // Stored bytes that no row claimed yet may have been collected meanwhile (a destroyed app shared them): put them back.
        if (!await slugStore.ExistsAsync(slugFile.Digest, ct))
        {
            await using var again = File.OpenRead(packed);
            await slugStore.PutAsync(slugFile.Digest, again, slipwayOptions.Value.Slugs.MaxBytes, ct);
        }

        return new Result(slug.Id);
    }

    /// <summary>
    /// Deploys the slug as <c>Deploy &lt;8 hex of the build&gt;</c> (or <c>Auto-Deploy</c>), on the
    /// config of the release it builds on. The build succeeds in the transaction that makes its
    /// release, so no client sees the release (or its deploy) while the build is still pending, and
    /// the build never stays pending beside its release. An auto-deploy whose commit is older than one
    /// already auto-deployed (a build that started later) is not released: the answer says which superseded it.
    /// </summary>
    private static async Task<(Release? Release, string? Superseded)> ReleaseAsync(
        ReleaseService releases, SlipwayDb db, Build build, App app, Guid slugId, TimeProvider clock, CancellationToken ct)
    {
        var (trigger, verb) = build.Deploy == BuildDeploy.AutoDeploy ? (ReleaseTrigger.AutoDeploy, "Auto-Deploy") : (ReleaseTrigger.Deploy, "Deploy");
        var outcome = await releases.AppendAsync(
            app,
            new Caller(build.UserId, IsAdmin: false),
            async (state, token) =>
            {
                if (trigger == ReleaseTrigger.AutoDeploy)
                {
                    // Under the app's lock: no newer auto-deploy can slip in between this look and the insert.
                    var newer = await db.Releases.AsNoTracking()
                        .Where(r => r.AppId == app.Id && r.Trigger == ReleaseTrigger.AutoDeploy && r.Status != ReleaseStatus.Failed
                            && r.Build != null && r.Build.CreatedAt > build.CreatedAt)
                        .OrderByDescending(r => r.Version)
                        .Select(r => new { r.Version, r.Build!.Commit, r.Build.ShortId })
                        .FirstOrDefaultAsync(token);
                    if (newer is not null)
                    {
                        var what = newer.Commit is { } sha ? sha[..Math.Min(7, sha.Length)] : "build " + newer.ShortId;
                        return new ReleasePlan.Unchanged($"superseded by {what} (released as v{newer.Version})");
                    }
                }

                return new ReleasePlan.Create(
                    new ReleaseDraft(slugId, state.Current?.ConfigVars ?? [], $"{verb} {build.ShortId}", trigger, BuildId: build.Id),
                    release => build.MarkSucceeded(release.Id, release.Version, clock.GetUtcNow()));
            },
            ReleaseConditions.None,
            ct);
        if (outcome.Unchanged is { } superseded)
        {
            return (null, superseded);
        }

        return (outcome.Release ?? throw new BuildFailedException($"The release was refused: {outcome.Refusal?.Message}"), null);
    }

    private async Task FinishSucceededAsync(BuildJob job, Result result)
    {
        // A build that deployed already succeeded with its release; nothing here is cancellable.
        job.Output.Heading("Build succeeded");
        using var step = BuildSteps.Start("finish");
        try
        {
            await using var db = await dbs.CreateDbContextAsync(CancellationToken.None);
            var build = await db.Builds.SingleAsync(b => b.Id == job.BuildId);
            if (build.Status == BuildStatus.Pending)
            {
                build.MarkSucceeded(result.ReleaseId, result.ReleaseVersion, clock.GetUtcNow(), result.Notes);
            }

            db.BuildLogs.Add(BuildLog.Create(build.Id, job.Output.Snapshot()));
            await hooks.BuildEndedAsync(db, build, CancellationToken.None);
            await db.SaveChangesAsync();
            Log.BuildSucceeded(logger, job.BuildId, result.SlugId);
        }
        catch (Exception e)
        {
            // Still pending, it is failed by the engine's scan for builds that nothing would end.
            Log.BuildNotRecorded(logger, e, job.BuildId);
        }
        finally
        {
            job.Output.Complete();
        }
    }

    private async Task FinishFailedAsync(BuildJob job, string reason)
    {
        try
        {
            await using var db = await dbs.CreateDbContextAsync(CancellationToken.None);
            var build = await db.Builds.SingleOrDefaultAsync(b => b.Id == job.BuildId);
            Guid? createdSlug = null;
            if (build is not null && build.Status == BuildStatus.Pending)
            {
                // The build's own slug row (its id is the build's, reused bytes or not); an earlier build's is not its to remove.
                createdSlug = build.SlugId == build.Id ? build.SlugId : null;
                build.MarkFailed(reason, clock.GetUtcNow());
                db.BuildLogs.Add(BuildLog.Create(build.Id, job.Output.Snapshot()));
                await hooks.BuildEndedAsync(db, build, CancellationToken.None);
                await db.SaveChangesAsync();
            }

            // A failed build keeps no slug; its bytes may be shared with other slugs, so only the row goes.
            if (createdSlug is { } slugId && !await db.Releases.AnyAsync(r => r.SlugId == slugId))
            {
                await db.Slugs.Where(s => s.Id == slugId).ExecuteDeleteAsync();
            }

            Log.BuildFailed(logger, job.BuildId, reason);
        }
        catch (Exception e)
        {
            // Still pending, it is failed by the engine's scan for builds that nothing would end.
            Log.BuildNotRecorded(logger, e, job.BuildId);
        }
        finally
        {
            job.Output.Complete();
        }
    }

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MB"),
    };

    private static string Describe(ArchiveKind kind) => kind switch
    {
        ArchiveKind.Zip => "zip",
        ArchiveKind.TarGz => "tar.gz",
        _ => "tar",
    };

    private static string Describe(IEnumerable<string> types) => types.Any() ? string.Join(", ", types.Order(StringComparer.Ordinal)) : "(none)";

    private static string Describe(IReadOnlyDictionary<string, string> types) => Describe(types.Keys);

    /// <summary>What a build produced: its slug, and its release when it deployed.</summary>
    private sealed record Result(Guid SlugId, Guid? ReleaseId = null, int? ReleaseVersion = null, string? Notes = null);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Build {BuildId} started")]
        public static partial void BuildStarted(ILogger logger, Guid buildId);

        [LoggerMessage(Level = LogLevel.Information, Message = "Build {BuildId} succeeded with slug {SlugId}")]
        public static partial void BuildSucceeded(ILogger logger, Guid buildId, Guid slugId);

        [LoggerMessage(Level = LogLevel.Information, Message = "Build {BuildId} failed: {Reason}")]
        public static partial void BuildFailed(ILogger logger, Guid buildId, string reason);

        [LoggerMessage(Level = LogLevel.Error, Message = "Build {BuildId} crashed")]
        public static partial void BuildCrashed(ILogger logger, Exception exception, Guid buildId);

        [LoggerMessage(Level = LogLevel.Error, Message = "The end of build {BuildId} could not be recorded")]
        public static partial void BuildNotRecorded(ILogger logger, Exception exception, Guid buildId);
    }
}
