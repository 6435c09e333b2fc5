using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Slipway.Server.Unpacking;

/// <summary>An archive that cannot or must not be unpacked; the message says why, names the entry, and never holds a server path.</summary>
public sealed class ArchiveRejectedException(string message, Exception? inner = null) : Exception(message, inner);

public enum ArchiveKind
{
    Zip,
    TarGz,
    Tar,
}

/// <summary>What was unpacked (or checked): the archive's kind, file count and bytes, and the top folder stripped, if any.</summary>
public sealed record UnpackedArchive(ArchiveKind Kind, int Files, long Bytes, string? StrippedFolder);

/// <summary>
/// The one archive reader of the server, for build sources and slugs alike: a <c>.zip</c>, <c>.tar.gz</c>
/// or <c>.tar</c> (told apart by content) is read in one pass, each entry checked as it arrives
/// against one set of <see cref="ArchiveRules"/> and written (or, for <see cref="Check"/>, only
/// checked):
/// <list type="bullet">
/// <item>no absolute path, no <c>..</c>, no NUL; names at most <see cref="ArchiveOptions.MaxPathLength"/>
/// bytes and <see cref="ArchiveOptions.MaxDepth"/> folders deep;</item>
/// <item>only files, folders and links: devices, FIFOs and sparse files are refused; setuid, setgid and sticky bits are dropped;</item>
/// <item>nothing written inside a file or through a link, no link replaced, and every link resolved
/// as the kernel would, through the other links (chains included), and refused if it leads outside;</item>
/// <item>entry count, size per file and in all, and for compressed archives the compression ratio, bounded;</item>
/// <item>extended headers (PAX, GNU long names) at most <see cref="ArchiveOptions.MaxHeaderBytes"/>,
/// refused before they are read: memory never depends on what an entry claims;</item>
/// <item>the cancellation token is checked between blocks, so a cancelled unpack stops within one block.</item>
/// </list>
/// Files and folders are written as they come, links last. On any refusal the folder is removed:
/// a refused archive leaves nothing on disk.
/// </summary>
public static class ArchiveExtractor
{
    private const int MaxShownLength = 200;

    /// <summary>Unpacks the archive file at <paramref name="archive"/> into <paramref name="destination"/>, a new (or empty) folder.</summary>
    public static UnpackedArchive Extract(string archive, string destination, ArchiveRules rules, CancellationToken ct)
    {
        using var file = OpenFile(archive);
        return Extract(file, destination, rules, ct);
    }

    /// <summary>Unpacks an archive read from <paramref name="archive"/> (a zip must be seekable) into <paramref name="destination"/>, a new (or empty) folder.</summary>
    public static UnpackedArchive Extract(Stream archive, string destination, ArchiveRules rules, CancellationToken ct) =>
        Read(archive, new ArchiveWriter(destination, rules), rules, ct);

    /// <summary>Reads the archive at <paramref name="archive"/> through every check without writing anything.</summary>
    public static UnpackedArchive Check(string archive, ArchiveRules rules, CancellationToken ct)
    {
        using var file = OpenFile(archive);
        return Read(file, null, rules, ct);
    }

    /// <summary>An archive's name or link target as a refusal shows it: control and formatting characters replaced, at most 200 characters.</summary>
    internal static string Shown(string text)
    {
        var shown = new StringBuilder(Math.Min(text.Length, MaxShownLength + 1));
        foreach (var c in text)
        {
            if (shown.Length == MaxShownLength)
            {
                if (char.IsHighSurrogate(shown[^1]))
                {
                    shown.Length--;
                }

                return shown.Append('…').ToString();
            }

            shown.Append(char.IsControl(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format ? '?' : c);
        }

        return shown.ToString();
    }

    internal static ArchiveRejectedException TooManyEntries(ArchiveRules rules) =>
        new($"The archive has more than {rules.MaxEntries} entries ({rules.LimitsSection}:MaxEntries).");

    internal static ArchiveRejectedException TooCompressed(int maxRatio) =>
        new($"The archive unpacks to more than {maxRatio} times its compressed size (a decompression bomb?); at most {maxRatio} is allowed ({ArchiveOptions.Section}:MaxCompressionRatio).");

    private static FileStream OpenFile(string archive) => new(archive, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);

    private static UnpackedArchive Read(Stream archive, ArchiveWriter? writer, ArchiveRules rules, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();

        // A read blocked on a slow source (a slug streamed from S3) ends when the unpack is cancelled.
        using var stop = ct.Register(static stream => ((Stream)stream!).Dispose(), archive);
        var kind = ArchiveKind.Tar;
        string? entry = null;
        try
        {
            (kind, var stream) = Detect(archive);
            using var entries = Entries(kind, stream, rules, ct);
            writer?.Begin();
            return Unpack(entries, writer, rules, ref entry, ct);
        }
        catch (Exception e)
        {
            writer?.Abort();
            if (ct.IsCancellationRequested)
            {
                throw new OperationCanceledException(ct);
            }

            if (Refusal(e, kind, entry) is { } refusal)
            {
                throw refusal;
            }

            throw;
        }
    }

    private static UnpackedArchive Unpack(IArchiveEntries entries, ArchiveWriter? writer, ArchiveRules rules, ref string? current, CancellationToken ct)
    {
        var tree = new ArchiveTree(rules, ct);
        var top = new TopFolder();
        var buffer = new byte[64 << 10];
        long bytes = 0;
        var files = 0;
        while (entries.Next() is { } entry)
        {
            ct.ThrowIfCancellationRequested();
            current = entry.Name;
            tree.Count();
            var segments = tree.Segments(entry.Name);
            if (segments.Length == 0)
            {
                continue;
            }

            top.See(segments, entry.Kind);
            switch (entry.Kind)
            {
                case EntryKind.Directory:
                    tree.Add(segments, EntryKind.Directory);
                    writer?.Folder(segments, entry.Mode);
                    break;
                case EntryKind.File:
                    bytes = Add(rules, bytes, FileLength(rules, entry.Name, entry.Length));
                    tree.Add(segments, EntryKind.File).Length = entry.Length;
                    using (var target = writer?.Create(segments))
                    {
                        CopyData(entries.Content, target, entry, buffer, ct);
                    }

                    writer?.SetFileMode(segments, entry.Mode);
                    files++;
                    break;
                case EntryKind.HardLink:
                    var link = entry.LinkTarget ?? "";
                    var source = tree.Segments(link) is { Length: > 0 } named
                        ? named
                        : throw new ArchiveRejectedException($"Hard link '{Shown(entry.Name)}' has no target.");
                    var length = tree.HardLinkSource(segments, source, Shown(link)).Length;
                    bytes = Add(rules, bytes, FileLength(rules, entry.Name, length));
                    tree.Add(segments, EntryKind.HardLink).Length = length;
                    writer?.Copy(source, segments, entry.Mode, (from, to) => CopyData(from, to, entry with { Length = length, Crc = null }, buffer, ct));
                    files++;
                    break;
                case EntryKind.Symlink:
                    tree.Add(segments, EntryKind.Symlink, LinkTarget(rules, string.Join('/', segments), entry.LinkTarget));
                    writer?.EnsureParent(segments);
                    break;
            }
        }

        current = null;
        var stripped = rules.StripTopFolder ? top.Single : null;
        tree.CheckLinks(stripped is null ? tree.Root : tree.Root.Child(stripped)!);
        writer?.Finish(stripped, tree.Links, ct);
        return new UnpackedArchive(entries.Kind, files, bytes, stripped);
    }

    /// <summary>Tells the archive's kind from its first bytes, and answers a stream that starts at the beginning again.</summary>
    private static (ArchiveKind Kind, Stream Stream) Detect(Stream archive)
    {
        var head = new byte[512];
        var read = archive.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        Stream stream = archive;
        if (archive.CanSeek)
        {
            archive.Seek(-read, SeekOrigin.Current);
        }
        else
        {
            stream = new PrefixedStream(head[..read], archive);
        }

        var bytes = head.AsSpan(0, read);
        if (bytes.StartsWith("PK\u0003\u0004"u8) || bytes.StartsWith("PK\u0005\u0006"u8))
        {
            return (ArchiveKind.Zip, stream);
        }

        if (bytes.StartsWith(new byte[] { 0x1f, 0x8b }))
        {
            return (ArchiveKind.TarGz, stream);
        }

        if (read >= 262 && bytes[257..262].SequenceEqual("ustar"u8))
        {
            return (ArchiveKind.Tar, stream);
        }

        var what = bytes.StartsWith("BZh"u8) ? "a bzip2 file"
            : bytes.StartsWith(new byte[] { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 }) ? "an xz file"
            : bytes.StartsWith(new byte[] { 0x28, 0xb5, 0x2f, 0xfd }) ? "a zstd file"
            : read == 0 ? "empty"

            // Never the bytes themselves: a source URL may point at a service whose reply is not the user's to read.
            : "an unknown format";
        throw new ArchiveRejectedException($"The source is not an archive Slipway can unpack ({what}): use a .zip or a .tar.gz.");
    }

    private static IArchiveEntries Entries(ArchiveKind kind, Stream stream, ArchiveRules rules, CancellationToken ct)
    {
        switch (kind)
        {
            case ArchiveKind.Zip:
                return stream.CanSeek ? new ZipEntries(stream, rules) : throw new ArchiveRejectedException("A zip can only be read from a file.");
            case ArchiveKind.TarGz:
                var compressed = new CountingStream(stream);
                var ratio = rules.Shared.MaxCompressionRatio;
                return new TarEntries(new GuardedStream(new GZipStream(compressed, CompressionMode.Decompress), compressed, ratio, ct), kind, rules);
            default:
                return new TarEntries(new GuardedStream(stream, null, 0, ct), kind, rules);
        }
    }

    private static long FileLength(ArchiveRules rules, string name, long length) => length <= rules.MaxFileBytes
        ? length
        : throw new ArchiveRejectedException($"Entry '{Shown(name)}' is {length} bytes; the limit per file is {rules.MaxFileBytes} ({rules.LimitsSection}:MaxFileBytes).");

    private static long Add(ArchiveRules rules, long total, long length) => total + length <= rules.MaxUnpackedBytes
        ? total + length
        : throw new ArchiveRejectedException($"The archive unpacks to more than {rules.MaxUnpackedBytes} bytes ({rules.LimitsSection}:MaxUnpackedBytes).");

    /// <summary>A symlink's target, refused when empty, absolute, or longer or deeper than a name may be.</summary>
    private static string LinkTarget(ArchiveRules rules, string path, string? target)
    {
        if (string.IsNullOrEmpty(target) || target.Contains('\0'))
        {
            throw new ArchiveRejectedException($"Symlink '{Shown(path)}' has no valid target.");
        }

        var bytes = Encoding.UTF8.GetByteCount(target);
        if (bytes > rules.Shared.MaxPathLength)
        {
            throw new ArchiveRejectedException(
                $"Symlink '{Shown(path)}' has a target of {bytes} bytes; at most {rules.Shared.MaxPathLength} are allowed ({ArchiveOptions.Section}:MaxPathLength).");
        }

        if (target.StartsWith('/'))
        {
            throw new ArchiveRejectedException($"Symlink '{Shown(path)}' points to an absolute path ('{Shown(target)}'), outside {rules.Folder}.");
        }

        var depth = target.Split('/', StringSplitOptions.RemoveEmptyEntries).Length;
        return depth <= rules.Shared.MaxDepth
            ? target
            : throw new ArchiveRejectedException(
                $"Symlink '{Shown(path)}' has a target {depth} levels deep; at most {rules.Shared.MaxDepth} are allowed ({ArchiveOptions.Section}:MaxDepth).");
    }

    /// <summary>Copies an entry's data a block at a time, checking the token between blocks, and holds it to its declared length and CRC-32.</summary>
    private static void CopyData(Stream content, Stream? target, ArchiveEntry entry, byte[] buffer, CancellationToken ct)
    {
        var crc = Crc32.Initial;
        long written = 0;
        int read;
        while ((read = content.Read(buffer)) > 0)
        {
            ct.ThrowIfCancellationRequested();
            written += read;
            if (written > entry.Length)
            {
                throw new ArchiveRejectedException($"Entry '{Shown(entry.Name)}' is corrupt: it holds more data than the {entry.Length} bytes it declares.");
            }

            if (entry.Crc is not null)
            {
                crc = Crc32.Append(crc, buffer.AsSpan(0, read));
            }

            target?.Write(buffer, 0, read);
        }

        if (written < entry.Length)
        {
            throw new ArchiveRejectedException($"Entry '{Shown(entry.Name)}' is corrupt: it holds less data than the {entry.Length} bytes it declares.");
        }

        if (entry.Crc is { } expected && Crc32.Finish(crc) != expected)
        {
            throw new ArchiveRejectedException($"Entry '{Shown(entry.Name)}' is corrupt: its content does not match its checksum (CRC-32).");
        }
    }

    /// <summary>
    /// The refusal an exception stands for, or null for a bug (rethrown as it is). The messages of
    /// file-system errors hold server paths, so they are described by kind only.
    /// </summary>
    private static ArchiveRejectedException? Refusal(Exception e, ArchiveKind kind, string? entry) => e switch
    {
        ArchiveRejectedException rejected => rejected,
        InvalidDataException or EndOfStreamException or FormatException =>
            new($"The {Describe(kind)} archive is broken (truncated or corrupt): {e.Message}", e),
        IOException or UnauthorizedAccessException or ArgumentException when entry is not null =>
            new($"Entry '{Shown(entry)}' could not be written on the server ({Problem(e)}).", e),
        IOException or UnauthorizedAccessException =>
            new($"The archive could not be unpacked on the server ({Problem(e)}).", e),
        _ => null,
    };

    private static string Problem(Exception e) => e switch
    {
        PathTooLongException => "a name is too long for the file system",
        UnauthorizedAccessException => "permission denied",
        ArgumentException => "a name the file system does not take",

        // On Unix the framework keeps the errno in HResult: ENOSPC and EDQUOT.
        IOException { HResult: 28 } => "no space left on the disk",
        IOException { HResult: 122 } => "the disk quota is used up",
        _ => "an input/output error",
    };

    private static string Describe(ArchiveKind kind) => kind switch
    {
        ArchiveKind.Zip => "zip",
        ArchiveKind.TarGz => "tar.gz",
        _ => "tar",
    };

    /// <summary>
    /// Whether the archive keeps everything under one folder (as GitHub's archives do), whose
    /// content is then the app: every entry under the same first name, at least one below it, and
    /// nothing but that folder itself at the top.
    /// </summary>
    private sealed class TopFolder
    {
        private string? _first;
        private bool _one = true;
        private bool _deeper;

        public string? Single => _one && _deeper ? _first : null;

        public void See(string[] segments, EntryKind kind)
        {
            _first ??= segments[0];
            _one &= segments[0] == _first && (segments.Length > 1 || kind == EntryKind.Directory);
            _deeper |= segments.Length > 1;
        }
    }
}
