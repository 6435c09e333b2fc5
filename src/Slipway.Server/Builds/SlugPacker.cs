using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Slipway.Server.Builds;

/// <summary>A packed slug: its SHA-256 (lowercase hex) and size in bytes.</summary>
public sealed record PackedSlug(string Digest, long Size);

/// <summary>
/// Packs what a build left in its build folder as a slug: a tar.gz with the app under
/// <c>./app/</c> (Heroku's layout), files with their modes, symlinks as symlinks, and no
/// <c>.git</c> anywhere. Entries are sorted, so the same tree packs the same way. Entries carry no
/// owner: the build folder belongs to the app's user by then, a uid with no name on the server,
/// and letting <see cref="TarWriter"/> name the owner of each file looked that uid up again for
/// every entry (four times the whole pack's time), for a field the slug's unpacking ignores.
/// </summary>
public static class SlugPacker
{
    private const UnixFileMode LinkMode = (UnixFileMode)0x1FF;

    public static async Task<PackedSlug> PackAsync(string buildDir, string target, CancellationToken ct)
    {
        await using (var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
        await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: false))
        {
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "./app/") { Mode = (UnixFileMode)0x1ED }, ct);
            await AddFolderAsync(tar, new DirectoryInfo(buildDir), "./app/", ct);
        }

        await using var packed = File.OpenRead(target);
        var digest = Convert.ToHexStringLower(await SHA256.HashDataAsync(packed, ct));
        return new PackedSlug(digest, packed.Length);
    }

    private static async Task AddFolderAsync(TarWriter tar, DirectoryInfo folder, string prefix, CancellationToken ct)
    {
        foreach (var info in folder.EnumerateFileSystemInfos().OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            ct.ThrowIfCancellationRequested();
            if (info.Name == ".git")
            {
                continue;
            }

            var name = prefix + info.Name;
            var modified = info.LastWriteTimeUtc;
            if (info.LinkTarget is { } target)
            {
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target, Mode = LinkMode, ModificationTime = modified }, ct);
            }
            else if (info is DirectoryInfo directory)
            {
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, name + "/") { Mode = info.UnixFileMode, ModificationTime = modified }, ct);
                await AddFolderAsync(tar, directory, name + "/", ct);
            }
            else if (info is FileInfo { Length: > 0 } file)
            {
                // Only regular files have a length: FIFOs, sockets and devices are 0 long.
                await using var content = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = info.UnixFileMode, ModificationTime = modified, DataStream = content }, ct);
            }
            else if (info is FileInfo)
            {
                // An empty file, or something that is not a file: TarWriter looks at which (its owner named, as before).
                await tar.WriteEntryAsync(info.FullName, name, ct);
            }
        }
    }
}
