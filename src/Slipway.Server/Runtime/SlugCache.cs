using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Slipway.Server.Builds;
using Slipway.Server.Slugs;
using Slipway.Server.Unpacking;

namespace Slipway.Server.Runtime;

/// <summary>
/// Unpacks each slug once, by digest, into a read-only folder under the data folder
/// (<c>runtime/slugs/&lt;digest&gt;/app</c>) that every process of every release with that slug shares.
/// The slug is held to the archive rules of <see cref="ArchiveExtractor"/>, as when it was uploaded.
/// The folders together stay within <see cref="RuntimeOptions.SlugCacheMaxBytes"/>: past it, the least
/// recently used go first, but never one that is held (<see cref="UnpackAsync"/> until disposed) or that
/// a running process uses (<see cref="TrackRunning"/>); a slug evicted is unpacked again when next needed.
/// </summary>
public sealed partial class SlugCache(ISlugStore store, IOptions<SlipwayOptions> options, IOptions<RuntimeOptions> runtime, TimeProvider clock, ILogger<SlugCache> logger)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>What is known of each unpacked folder; filled from the disk on first use, so folders of earlier runs count too.</summary>
    private Dictionary<string, Entry>? _entries;
    private Func<IEnumerable<string?>> _running = () => [];

    public string Root => Path.Combine(options.Value.FullDataDir, "runtime", "slugs");

    /// <summary>Tells the cache which slugs running processes use (the runtime's live processes), so that it never evicts them.</summary>
    public void TrackRunning(Func<IEnumerable<string?>> running) => _running = running;

    /// <summary>The unpacked <c>./app</c> folder of the slug with <paramref name="digest"/>, held (never evicted) until the answer is disposed.</summary>
    public async Task<UnpackedSlug> UnpackAsync(string digest, CancellationToken ct)
    {
        if (digest.Length != 64 || !digest.All(Uri.IsHexDigit))
        {
            throw new SlugUnpackException($"'{digest}' is not a slug digest.");
        }

        var final = Path.Combine(Root, digest);
        var gate = _locks.GetOrAdd(digest, _ => new SemaphoreSlim(1, 1));
        long? unpackedBytes = null;
        await gate.WaitAsync(ct);
        try
        {
            if (!Directory.Exists(final))
            {
                unpackedBytes = await ExtractAsync(digest, final, ct);
            }

            Hold(digest, final, unpackedBytes);
        }
        finally
        {
            gate.Release();
        }

        var held = new UnpackedSlug(this, digest, Path.Combine(final, "app"));
        if (!Directory.Exists(held.AppDir))
        {
            held.Dispose();
            throw new SlugUnpackException("The slug has no ./app folder (a slug is a tar.gz with the app under ./app/).");
        }

        if (unpackedBytes is not null)
        {
            Collect();
        }

        return held;
    }

    /// <summary>
    /// Removes the unpacked folder of <paramref name="digest"/> unless it is held or a running process
    /// uses it (its slug is gone: the app was destroyed or the collector removed it); true when it is gone.
    /// </summary>
    public bool Remove(string digest)
    {
        var gate = _locks.GetOrAdd(digest, _ => new SemaphoreSlim(1, 1));
        if (!gate.Wait(0))
        {
            return false;
        }

        try
        {
            var entries = Entries();
            lock (_gate)
            {
                if (entries.TryGetValue(digest, out var entry) && entry.Holds > 0)
                {
                    return false;
                }
            }

            if (_running().Contains(digest))
            {
                return false;
            }

            Delete(Path.Combine(Root, digest));
            lock (_gate)
            {
                entries.Remove(digest);
            }

            return true;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The digests of the slugs unpacked on this server.</summary>
    public IReadOnlyList<string> Digests()
    {
        var entries = Entries();
        lock (_gate)
        {
            return [.. entries.Keys];
        }
    }

    /// <summary>Evicts the least recently used folders that nothing holds or runs until the cache is within its limit.</summary>
    public void Collect()
    {
        var limit = runtime.Value.SlugCacheMaxBytes;
        var entries = Entries();
        List<(string Digest, long Bytes)> candidates;
        long total;
        lock (_gate)
        {
            total = entries.Values.Sum(e => e.Bytes);
            if (total <= limit)
            {
                return;
            }

            candidates = [.. entries.Where(e => e.Value.Holds == 0).OrderBy(e => e.Value.LastUsed).Select(e => (e.Key, e.Value.Bytes))];
        }

        foreach (var (digest, bytes) in candidates)
        {
            if (total <= limit)
            {
                break;
            }

            if (Remove(digest))
            {
                total -= bytes;
                LogEvicted(digest, bytes, limit);
            }
        }
    }

    /// <summary>Ends a hold of <see cref="UnpackAsync"/>; the folder may be evicted from now on.</summary>
    internal void Release(string digest)
    {
        var entries = Entries();
        lock (_gate)
        {
            if (entries.TryGetValue(digest, out var entry))
            {
                entry.Holds--;
                entry.LastUsed = clock.GetUtcNow();
            }
        }

        Collect();
    }

    private void Hold(string digest, string folder, long? unpackedBytes)
    {
        var entries = Entries();
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            if (!entries.TryGetValue(digest, out var entry))
            {
                entry = new Entry { Bytes = unpackedBytes ?? SizeOf(folder) };
                entries[digest] = entry;
            }

            entry.Holds++;
            entry.LastUsed = now;
        }

        try
        {
            // The folder's time is its last use, so that the order survives a restart.
            Directory.SetLastWriteTimeUtc(folder, now.UtcDateTime);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private Dictionary<string, Entry> Entries()
    {
        lock (_gate)
        {
            if (_entries is not null)
            {
                return _entries;
            }

            _entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
            if (Directory.Exists(Root))
            {
                foreach (var folder in new DirectoryInfo(Root).EnumerateDirectories().Where(d => d.Name.Length == 64 && d.Name.All(Uri.IsHexDigit)))
                {
                    _entries[folder.Name] = new Entry { Bytes = SizeOf(folder.FullName), LastUsed = folder.LastWriteTimeUtc };
                }
            }

            return _entries;
        }
    }

    private async Task<long> ExtractAsync(string digest, string final, CancellationToken ct)
    {
        if (!await store.ExistsAsync(digest, ct))
        {
            throw new SlugUnpackException($"The slug's bytes (SHA256:{digest}) are not in the slug store.");
        }

        var temp = Path.Combine(Root, ".incoming", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(temp);
        try
        {
            var unpacked = await ExtractEntriesAsync(digest, temp, ct);
            Directory.Move(temp, final);
            File.SetUnixFileMode(final, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            return unpacked.Bytes;
        }
        catch (ArchiveRejectedException e)
        {
            throw new SlugUnpackException(e.Message);
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }

    /// <summary>Unpacks the slug with the one archive reader and the slug rules (the same checks its upload passed).</summary>
    private async Task<UnpackedArchive> ExtractEntriesAsync(string digest, string root, CancellationToken ct)
    {
        await using var compressed = await store.OpenReadAsync(digest, ct);
        return await Task.Run(() => ArchiveExtractor.Extract(compressed, root, ArchiveRules.ForSlugs(options.Value), ct), ct);
    }

    private static long SizeOf(string folder) =>
        new DirectoryInfo(folder).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true })
            .Sum(f => f.Length);

    /// <summary>The folder is read-only (its processes must not change it): writable again first, then gone.</summary>
    private static void Delete(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return;
        }

        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        BuildPaths.Remove(folder);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Unpacked slug {Digest} ({Bytes} bytes) removed: the unpacked slugs are over Slipway:Runtime:SlugCacheMaxBytes ({Limit})")]
    private partial void LogEvicted(string digest, long bytes, long limit);

    private sealed class Entry
    {
        public long Bytes { get; init; }

        public DateTimeOffset LastUsed { get; set; }

        /// <summary>How many deploys, scales or restarts are using it right now.</summary>
        public int Holds { get; set; }
    }
}

/// <summary>An unpacked slug's <c>./app</c> folder, held in the <see cref="SlugCache"/> until disposed.</summary>
public sealed class UnpackedSlug(SlugCache cache, string digest, string appDir) : IDisposable
{
    private int _disposed;

    public string Digest => digest;

    public string AppDir => appDir;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            cache.Release(digest);
        }
    }
}

/// <summary>A slug that cannot be run; the message says why and is kept as the release's failure reason.</summary>
public sealed class SlugUnpackException(string message) : Exception(message);
