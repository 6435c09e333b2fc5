using System.Formats.Tar;
using System.IO.Compression;

namespace Slipway.Cli.Commands;

/// <summary>Packs a folder as the tar.gz that <c>aka releases:create ./folder</c> uploads.</summary>
public static class SourceArchive
{
    /// <summary>
    /// The folder's files, links and sub-folders under their relative paths, with their modes
    /// (so scripts stay executable); <c>.git</c> is left out, as the slug leaves it out anyway.
    /// </summary>
    public static async Task<byte[]> PackAsync(string folder, CancellationToken ct)
    {
        var root = new DirectoryInfo(folder);
        using var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: false))
        {
            await AddAsync(tar, root, "", ct);
        }

        return buffer.ToArray();
    }

    private static async Task AddAsync(TarWriter tar, DirectoryInfo folder, string prefix, CancellationToken ct)
    {
        foreach (var entry in folder.EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (entry.Name == ".git")
            {
                continue;
            }

            var name = prefix + entry.Name;
            if (entry is DirectoryInfo sub && entry.LinkTarget is null)
            {
                await tar.WriteEntryAsync(entry.FullName, name + "/", ct);
                await AddAsync(tar, sub, name + "/", ct);
            }
            else
            {
                await tar.WriteEntryAsync(entry.FullName, name, ct);
            }
        }
    }
}
