using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Slipway.Server.Builds;

/// <summary>A packed slug: its SHA-256 (lowercase hex) and size in bytes.</summary>
public sealed record PackedSlug(string Digest, long Size);

/// <summary>
/// Packs what a build left in its build folder as a slug: a tar.gz with the app under
/// <c>./app/</c> (Heroku's layout), files with their modes, symlinks as symlinks, and no
/// <c>.git</c> anywhere. Entries are sorted, so the same tree packs the same way.
/// </summary>
public static class SlugPacker
{
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
            var isLink = info.LinkTarget is not null;
            if (info is DirectoryInfo directory && !isLink)
            {
                await tar.WriteEntryAsync(info.FullName, name + "/", ct);
                await AddFolderAsync(tar, directory, name + "/", ct);
            }
            else if (isLink || info is FileInfo)
            {
                await tar.WriteEntryAsync(info.FullName, name, ct);
            }
        }
    }
}
