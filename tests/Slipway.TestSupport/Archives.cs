using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Slipway.TestSupport;

/// <summary>
/// One entry of a test archive: a file by default (<see cref="Executable"/> sets mode 0755, else
/// 0644; <see cref="Bytes"/>, when set, replaces the text content), or, for the tests that need
/// one, a directory, a link or a device (<see cref="Type"/>).
/// </summary>
public sealed record ArchiveFile(string Path, string Content = "", bool Executable = false)
{
    public byte[]? Bytes { get; init; }

    public TarEntryType Type { get; init; } = TarEntryType.RegularFile;

    /// <summary>What a symbolic or hard link points at.</summary>
    public string? LinkTarget { get; init; }

    public byte[] Data => Bytes ?? Encoding.UTF8.GetBytes(Content);

    public static ArchiveFile Directory(string path) => new(path) { Type = TarEntryType.Directory };

    public static ArchiveFile Symlink(string path, string target) => new(path) { Type = TarEntryType.SymbolicLink, LinkTarget = target };

    public static ArchiveFile HardLink(string path, string target) => new(path) { Type = TarEntryType.HardLink, LinkTarget = target };

    /// <summary>Files from a name → text map, in its order.</summary>
    public static IEnumerable<ArchiveFile> Of(IEnumerable<KeyValuePair<string, string>> files) => files.Select(f => new ArchiveFile(f.Key, f.Value));
}

/// <summary>
/// The one archive builder of the tests and benchmarks: source archives and slugs as .tar.gz,
/// .tar or .zip, optionally under one top folder, entries written in the order given (hostile
/// ones included: a test can write any path, link or device an archive can hold).
/// </summary>
public static class Archives
{
    private const UnixFileMode Regular = (UnixFileMode)0x1A4;
    private const UnixFileMode Executable = (UnixFileMode)0x1ED;

    public static byte[] TarGz(IEnumerable<ArchiveFile> files, string? folder = null)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            WriteTar(gzip, files, folder);
        }

        return buffer.ToArray();
    }

    public static byte[] TarGz(IEnumerable<KeyValuePair<string, string>> files, string? folder = null) => TarGz(ArchiveFile.Of(files), folder);

    /// <summary>An uncompressed tar.</summary>
    public static byte[] Tar(IEnumerable<ArchiveFile> files, string? folder = null)
    {
        using var buffer = new MemoryStream();
        WriteTar(buffer, files, folder);
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
                var (kind, data) = file.Type switch
                {
                    TarEntryType.RegularFile => (0x8000u, file.Data),
                    TarEntryType.SymbolicLink => (0xA000u, Encoding.UTF8.GetBytes(file.LinkTarget!)),
                    _ => throw new ArgumentException($"A zip holds files and symbolic links, not {file.Type} ({file.Path}).", nameof(files)),
                };
                var mode = file.Type == TarEntryType.SymbolicLink ? 0x1FFu : (uint)ModeOf(file);
                entry.ExternalAttributes = unchecked((int)((kind | mode) << 16));
                using var stream = entry.Open();
                stream.Write(data);
            }
        }

        return buffer.ToArray();
    }

    public static byte[] Zip(IEnumerable<KeyValuePair<string, string>> files, string? folder = null) => Zip(ArchiveFile.Of(files), folder);

    /// <summary>A slug as Slipway stores it: a tar.gz of the app's files under <c>./app/</c>.</summary>
    public static byte[] Slug(IEnumerable<ArchiveFile> files) => TarGz(files, "./app");

    public static byte[] Slug(IEnumerable<KeyValuePair<string, string>> files) => Slug(ArchiveFile.Of(files));

    /// <summary>The checksum the API takes and answers for a blob: <c>SHA256:</c> and the lowercase hex digest.</summary>
    public static string Checksum(byte[] bytes) => "SHA256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static void WriteTar(Stream stream, IEnumerable<ArchiveFile> files, string? folder)
    {
        using var tar = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true);
        if (folder is not null)
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, folder + "/") { Mode = Executable });
        }

        foreach (var file in files)
        {
            var entry = new PaxTarEntry(file.Type, Prefix(folder) + file.Path) { Mode = ModeOf(file) };
            if (file.Type == TarEntryType.RegularFile)
            {
                entry.DataStream = new MemoryStream(file.Data);
            }
            else if (file.LinkTarget is not null)
            {
                entry.LinkName = file.LinkTarget;
            }

            tar.WriteEntry(entry);
        }
    }

    private static string Prefix(string? folder) => folder is null ? "" : folder + "/";

    private static UnixFileMode ModeOf(ArchiveFile file) => file.Executable || file.Type == TarEntryType.Directory ? Executable : Regular;
}
