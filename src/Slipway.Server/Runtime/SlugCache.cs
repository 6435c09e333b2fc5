using System.Collections.Concurrent;
using System.Formats.Tar;
using System.IO.Compression;
using Microsoft.Extensions.Options;
using Slipway.Server.Slugs;

namespace Slipway.Server.Runtime;

/// <summary>
/// Unpacks each slug once, by digest, into a read-only folder under the data folder
/// (<c>runtime/slugs/&lt;digest&gt;/app</c>) that every process of every release with that slug shares.
/// Entries and link targets that would land outside the folder are refused.
/// </summary>
public sealed class SlugCache(ISlugStore store, IOptions<SlipwayOptions> options)
{
    private const UnixFileMode WriteBits = UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    private string Root => Path.Combine(options.Value.FullDataDir, "runtime", "slugs");

    /// <summary>The unpacked <c>./app</c> folder of the slug with <paramref name="digest"/>.</summary>
    public async Task<string> UnpackAsync(string digest, CancellationToken ct)
    {
        if (digest.Length != 64 || !digest.All(Uri.IsHexDigit))
        {
            throw new SlugUnpackException($"'{digest}' is not a slug digest.");
        }

        var final = Path.Combine(Root, digest);
        var gate = _locks.GetOrAdd(digest, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            if (!Directory.Exists(final))
            {
                await ExtractAsync(digest, final, ct);
            }
        }
        finally
        {
            gate.Release();
        }

        var app = Path.Combine(final, "app");
        return Directory.Exists(app) ? app : throw new SlugUnpackException("The slug has no ./app folder (a slug is a tar.gz with the app under ./app/).");
    }

    private async Task ExtractAsync(string digest, string final, CancellationToken ct)
    {
        if (!await store.ExistsAsync(digest, ct))
        {
            throw new SlugUnpackException($"The slug's bytes (SHA256:{digest}) are not in the slug store.");
        }

        var temp = Path.Combine(Root, ".incoming", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(temp);
        try
        {
            await ExtractEntriesAsync(digest, temp, ct);
            Directory.Move(temp, final);
            File.SetUnixFileMode(final, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new SlugUnpackException($"The slug is not a valid tar.gz: {e.Message}");
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }

    private async Task ExtractEntriesAsync(string digest, string root, CancellationToken ct)
    {
        var directories = new List<(string Path, UnixFileMode Mode)>();

        // Links are made last, so that no entry is ever written through one.
        var links = new List<(string Path, string Target)>();
        await using (var compressed = await store.OpenReadAsync(digest, ct))
        await using (var gzip = new GZipStream(compressed, CompressionMode.Decompress))
        await using (var reader = new TarReader(gzip))
        {
            while (await reader.GetNextEntryAsync(copyData: false, ct) is { } entry)
            {
                var name = entry.Name.Replace('\\', '/');
                while (name.StartsWith("./", StringComparison.Ordinal))
                {
                    name = name[2..];
                }

                name = name.TrimEnd('/');
                if (name is "" or ".")
                {
                    continue;
                }

                var target = Inside(root, root, name, entry.Name);
                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                        Directory.CreateDirectory(target);
                        directories.Add((target, entry.Mode));
                        break;
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                        await entry.ExtractToFileAsync(target, overwrite: true, ct);
                        File.SetUnixFileMode(target, (entry.Mode & ~WriteBits) | UnixFileMode.UserRead);
                        break;
                    case TarEntryType.SymbolicLink:
                        Inside(root, Path.GetDirectoryName(target)!, entry.LinkName, entry.Name);
                        links.Add((target, entry.LinkName));
                        break;
                    case TarEntryType.HardLink:
                        var source = Inside(root, root, entry.LinkName.TrimStart('.', '/'), entry.Name);
                        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                        File.Copy(source, target, overwrite: true);
                        break;
                    case TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes:
                        break;
                    default:
                        throw new SlugUnpackException($"The slug has an entry of a kind a slug may not hold ({entry.EntryType}): {entry.Name}");
                }
            }
        }

        foreach (var (path, target) in links)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.CreateSymbolicLink(path, target);
        }

        foreach (var (path, mode) in directories.OrderByDescending(d => d.Path.Length))
        {
            File.SetUnixFileMode(path, (mode & ~WriteBits) | UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }
    }

    /// <summary>The full path of <paramref name="relative"/> from <paramref name="from"/>, refused when it leaves <paramref name="root"/>.</summary>
    private static string Inside(string root, string from, string relative, string entryName)
    {
        if (relative.StartsWith('/') || relative.Contains('\0'))
        {
            throw new SlugUnpackException($"The slug has an entry that escapes its folder: {entryName}");
        }

        var full = Path.GetFullPath(Path.Combine(from, relative));
        if (full != root && !full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new SlugUnpackException($"The slug has an entry that escapes its folder: {entryName}");
        }

        return full;
    }
}

/// <summary>A slug that cannot be run; the message says why and is kept as the release's failure reason.</summary>
public sealed class SlugUnpackException(string message) : Exception(message);
