using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Slipway.TestSupport;

/// <summary>
/// One entry of a test archive: a file by default (<see cref="Executable"/> sets mode 0755, else
/// 0644; <see cref="Mode"/>, when set, any mode, setuid and the like included; <see cref="Bytes"/>,
/// when set, replaces the text content), or, for the tests that need one, a directory, a link, a
/// device or a FIFO (<see cref="Type"/>).
/// </summary>
public sealed record ArchiveFile(string Path, string Content = "", bool Executable = false)
{
    public byte[]? Bytes { get; init; }

    public UnixFileMode? Mode { get; init; }

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
/// ones included: a test can write any path, link or device an archive can hold), and raw tar
/// headers (<see cref="TarHeader"/>, <see cref="Gzip"/>) for what no archive writer would write:
/// any type flag, a size no data backs, a GNU long name claiming a gigabyte.
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
                    TarEntryType.CharacterDevice => (0x2000u, []),
                    TarEntryType.Fifo => (0x1000u, []),
                    _ => throw new ArgumentException($"A zip holds files, symbolic links, devices and FIFOs, not {file.Type} ({file.Path}).", nameof(files)),
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

    /// <summary>
    /// One ustar header block as written, checksum filled in, for entries no archive writer would
    /// make: any <paramref name="type"/> flag (<c>'L'</c> for a GNU long name, <c>'x'</c> for PAX), and
    /// a <paramref name="size"/> the data that follows need not back. Data blocks are the caller's.
    /// </summary>
    public static byte[] TarHeader(string name, char type, long size, string? linkName = null, UnixFileMode mode = Regular)
    {
        var header = new byte[512];
        Encoding.UTF8.GetBytes(name).AsSpan().CopyTo(header.AsSpan(0, 100));
        Octal(header.AsSpan(100, 8), (long)mode);
        Octal(header.AsSpan(108, 8), 0);
        Octal(header.AsSpan(116, 8), 0);
        Octal(header.AsSpan(124, 12), size);
        Octal(header.AsSpan(136, 12), 0);
        header[156] = (byte)type;
        Encoding.UTF8.GetBytes(linkName ?? "").AsSpan().CopyTo(header.AsSpan(157, 100));
        "ustar\0"u8.CopyTo(header.AsSpan(257));
        "00"u8.CopyTo(header.AsSpan(263));
        header.AsSpan(148, 8).Fill((byte)' ');
        var sum = 0L;
        foreach (var b in header)
        {
            sum += b;
        }

        Octal(header.AsSpan(148, 7), sum);
        return header;
    }

    /// <summary>Gzips <paramref name="head"/> followed by <paramref name="zeros"/> zero bytes (written a block at a time: a bomb needs no memory to make).</summary>
    public static byte[] Gzip(byte[] head, long zeros = 0)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(head);
            var block = new byte[1 << 20];
            for (var left = zeros; left > 0; left -= block.Length)
            {
                gzip.Write(block, 0, (int)Math.Min(left, block.Length));
            }
        }

        return buffer.ToArray();
    }

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

    private static UnixFileMode ModeOf(ArchiveFile file) => file.Mode ?? (file.Executable || file.Type == TarEntryType.Directory ? Executable : Regular);

    /// <summary>An octal field, zero-padded and NUL-terminated, as ustar writes numbers.</summary>
    private static void Octal(Span<byte> field, long value) =>
        Encoding.ASCII.GetBytes(Convert.ToString(value, 8).PadLeft(field.Length - 1, '0')).AsSpan().CopyTo(field);
}
