using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Server.Builds;
using Slipway.Server.Data;
using Slipway.Server.GitPush;
using Slipway.Server.Runtime;
using Slipway.Server.Slugs;

namespace Slipway.Server.Collector;

/// <summary>What of an app lies outside its rows: read before the rows go, removed once they are gone.</summary>
public sealed record AppFiles(Guid AppId, string AppKey, IReadOnlyList<string> SlugDigests, IReadOnlyList<Guid> SourceUploads);

/// <summary>What one collection removed.</summary>
public sealed record Collected(int SlugRows, int SlugBytes, int UnpackedSlugs, int Sources);

/// <summary>
/// The rules for what is left behind on disk and in the slug store. Slug bytes are shared by checksum
/// (several slug rows, of any app, may claim the same bytes), so bytes go only once no slug row claims
/// them, decided with the database just before they go; a build that stored bytes checks they are still
/// there once its slug row claims them. Every server sharing the database may collect: each removal is
/// one statement that re-checks the references, so what a concurrent release or build claims stays.
/// </summary>
public sealed partial class Leftovers(
    IDbContextFactory<SlipwayDb> dbs,
    ISlugStore store,
    SlugCache unpacked,
    BuildPaths paths,
    AppRepositories repositories,
    IOptions<SlipwayOptions> slipway,
    IOptions<CollectorOptions> options,
    TimeProvider clock,
    ILogger<Leftovers> logger)
{
    /// <summary>What <paramref name="appId"/> has outside its rows: its slugs' digests and the uploads its builds read.</summary>
    public static async Task<AppFiles> OfAsync(SlipwayDb db, Guid appId, string appKey, CancellationToken ct)
    {
        var checksums = await db.Slugs.AsNoTracking().Where(s => s.AppId == appId).Select(s => s.Checksum).Distinct().ToListAsync(ct);
        var uploads = await db.Builds.AsNoTracking().Where(b => b.AppId == appId && b.SourceUploadId != null).Select(b => b.SourceUploadId!.Value).Distinct().ToListAsync(ct);
        return new AppFiles(appId, appKey, [.. checksums.Select(Checksum.DigestOf)], uploads);
    }

    /// <summary>
    /// Removes what a destroyed app left (its rows are gone, its processes stopped): its build cache, its
    /// runtime home, its git repository, its slugs' bytes and unpacked copies that no other slug claims, and its source uploads
    /// that no other build read.
    /// </summary>
    public async Task RemoveAsync(AppFiles files, CancellationToken ct)
    {
        try
        {
            await RemoveFilesAsync(files, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The app is gone already; what could not go now is the collector's to remove later.
            LogRemoveFailed(e, files.AppKey);
        }
    }

    private async Task RemoveFilesAsync(AppFiles files, CancellationToken ct)
    {
        BuildPaths.Remove(paths.CacheOf(files.AppId));
        BuildPaths.Remove(LocalRuntime.HomeOf(slipway.Value, files.AppKey));
        repositories.Remove(files.AppId);
        await using var db = await dbs.CreateDbContextAsync(ct);
        foreach (var digest in files.SlugDigests)
        {
            await RemoveBytesIfUnclaimedAsync(db, digest, ct);
        }

        foreach (var upload in files.SourceUploads)
        {
            if (!await db.Builds.AnyAsync(b => b.SourceUploadId == upload, ct))
            {
                BuildPaths.Remove(paths.UploadOf(upload));
                await db.SourceUploads.Where(s => s.Id == upload).ExecuteDeleteAsync(ct);
            }
        }
    }

    /// <summary>
    /// One collection: slug rows that no release or build references, bytes that no slug row claims, unpacked
    /// copies of those, and source uploads no build read (and upload files without a row), each only once it
    /// is older than <see cref="CollectorOptions.GracePeriod"/>.
    /// </summary>
    public async Task<Collected> CollectAsync(CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow() - options.Value.GracePeriod;
        await using var db = await dbs.CreateDbContextAsync(ct);

        var rows = 0;
        var stale = await Unreferenced(db, cutoff).Select(s => s.Id).ToListAsync(ct);
        foreach (var id in stale)
        {
            try
            {
                // The references are checked again in the statement that deletes: a release made since keeps it.
                rows += await Unreferenced(db, cutoff).Where(s => s.Id == id).ExecuteDeleteAsync(ct);
            }
            catch (DbException)
            {
                // A release or build claimed it while this ran (the foreign key said so): it stays.
            }
        }

        var bytes = 0;
        await foreach (var stored in store.ListAsync(ct))
        {
            if (stored.WrittenAt < cutoff && await RemoveBytesIfUnclaimedAsync(db, stored.Digest, ct))
            {
                bytes++;
            }
        }

        var copies = 0;
        foreach (var digest in unpacked.Digests())
        {
            var checksum = Checksum.Of(digest);
            if (!await db.Slugs.AnyAsync(s => s.Checksum == checksum, ct) && unpacked.Remove(digest))
            {
                copies++;
            }
        }

        var sources = await CollectSourcesAsync(db, cutoff, ct);
        var collected = new Collected(rows, bytes, copies, sources);
        if (collected != new Collected(0, 0, 0, 0))
        {
            LogCollected(rows, bytes, copies, sources);
        }

        return collected;
    }

    private static IQueryable<Slug> Unreferenced(SlipwayDb db, DateTimeOffset cutoff) =>
        db.Slugs.Where(s => s.CreatedAt < cutoff && !db.Releases.Any(r => r.SlugId == s.Id) && !db.Builds.Any(b => b.SlugId == s.Id));

    private async Task<int> CollectSourcesAsync(SlipwayDb db, DateTimeOffset cutoff, CancellationToken ct)
    {
        var unread = await db.SourceUploads.Where(s => s.CreatedAt < cutoff && !db.Builds.Any(b => b.SourceUploadId == s.Id)).Select(s => s.Id).ToListAsync(ct);
        var removed = 0;
        foreach (var id in unread)
        {
            if (await db.SourceUploads.Where(s => s.Id == id && !db.Builds.Any(b => b.SourceUploadId == s.Id)).ExecuteDeleteAsync(ct) == 1)
            {
                BuildPaths.Remove(paths.UploadOf(id));
                removed++;
            }
        }

        // Files whose row is gone (a purge or a destroy that stopped half-way).
        if (Directory.Exists(paths.Uploads))
        {
            var known = (await db.SourceUploads.AsNoTracking().Select(s => s.Id).ToListAsync(ct)).ToHashSet();
            foreach (var file in new DirectoryInfo(paths.Uploads).EnumerateFiles("*.archive"))
            {
                if (Guid.TryParseExact(Path.GetFileNameWithoutExtension(file.Name), "N", out var id) && !known.Contains(id) && file.LastWriteTimeUtc < cutoff.UtcDateTime)
                {
                    BuildPaths.Remove(file.FullName);
                    removed++;
                }
            }
        }

        return removed;
    }

    /// <summary>Removes the bytes (and their unpacked copy) when no slug row of any app claims them; true when they went.</summary>
    private async Task<bool> RemoveBytesIfUnclaimedAsync(SlipwayDb db, string digest, CancellationToken ct)
    {
        var checksum = Checksum.Of(digest);
        if (await db.Slugs.AnyAsync(s => s.Checksum == checksum, ct))
        {
            return false;
        }

        await store.DeleteAsync(digest, ct);
        unpacked.Remove(digest);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Some files of the destroyed app {App} could not be removed; the collector removes them later")]
    private partial void LogRemoveFailed(Exception exception, string app);

    [LoggerMessage(Level = LogLevel.Information, Message = "Collector removed {Rows} slug rows, {Bytes} slug blobs, {Copies} unpacked slugs and {Sources} source uploads that nothing referenced")]
    private partial void LogCollected(int rows, int bytes, int copies, int sources);
}
