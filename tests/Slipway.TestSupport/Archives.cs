using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Slipway.TestSupport;

/// <summary>A file for a test archive; <see cref="Executable"/> sets mode 0755; <see cref="Bytes"/>, when set, replaces the text content.</summary>
public sealed record ArchiveFile(string Path, string Content, bool Executable = false)
{
    public byte[]? Bytes { get; init; }

    public byte[] Data => Bytes ?? Encoding.UTF8.GetBytes(Content);
}

/// <summary>Builds source archives for tests: an app's files as a .tar.gz or .zip, optionally under one top folder.</summary>
public static class Archives
{
    public static byte[] TarGz(IEnumerable<ArchiveFile> files, string? folder = null)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            if (folder is not null)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, folder + "/") { Mode = (UnixFileMode)0x1ED });
            }

            foreach (var file in files)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, Prefix(folder) + file.Path)
                {
                    DataStream = new MemoryStream(file.Data),
                    Mode = ModeOf(file),
                });
            }
        }

        return buffer.ToArray();
    }

    public static byte[] Zip(IEnumerable<ArchiveFile> files, string? folder = null)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in files)
            {
                var entry = zip.CreateEntry(Prefix(folder) + file.Path, CompressionLevel.Fastest);
                entry.ExternalAttributes = (int)((0x8000u | (uint)ModeOf(file)) << 16);
                using var stream = entry.Open();
                stream.Write(file.Data);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>A tar.gz written entry by entry, for archives no honest tool makes.</summary>
    public static byte[] TarGz(params TarEntry[] entries)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var entry in entries)
            {
                tar.WriteEntry(entry);
            }
        }

        return buffer.ToArray();
    }

    public static PaxTarEntry TarFile(string name, string content) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)), Mode = (UnixFileMode)0x1A4 };

    public static PaxTarEntry TarLink(string name, string target, TarEntryType type = TarEntryType.SymbolicLink) => new(type, name) { LinkName = target };

    private static string Prefix(string? folder) => folder is null ? "" : folder + "/";

    private static UnixFileMode ModeOf(ArchiveFile file) => (UnixFileMode)(file.Executable ? 0x1ED : 0x1A4);
}
