using System.Formats.Tar;
using System.IO.Compression;

namespace Slipway.Server.Sources;

/// <summary>A source archive that cannot or must not be unpacked; the message says why, for the build's output.</summary>
public sealed class ArchiveRejectedException(string message, Exception? inner = null) : Exception(message, inner);

public enum ArchiveKind
{
    Zip,
    TarGz,
    Tar,
}

public sealed record ArchiveLimits(long MaxUnpackedBytes, long MaxFileBytes, int MaxEntries);

/// <summary>What was unpacked: the archive's kind, file count and bytes, and the top folder stripped, if any.</summary>
public sealed record UnpackedArchive(ArchiveKind Kind, int Files, long Bytes, string? StrippedFolder);

/// <summary>
/// Unpacks a <c>.zip</c>, <c>.tar.gz</c> or <c>.tar</c> (told apart by content, not name) into a
/// new folder. Every entry is checked before anything is written: entry count, per-file and total
/// size, no absolute path or <c>..</c>, no link that leads outside (resolved through the archive's
/// own symlinks), no device files. Files are written first and links last, so no write can pass
/// through a link. A single top-level folder (as in GitHub's archives) is stripped. On any
/// failure the destination is removed: a rejected archive leaves nothing on disk.
/// </summary>
public static class ArchiveExtractor
{
    private const int MaxLinkHops = 40;
    private const int MaxLinkTargetLength = 4096;

    private enum Kind
    {
        File,
        Directory,
        Symlink,
        HardLink,
        Skip,
    }

    public static UnpackedArchive Extract(string archive, string destination, ArchiveLimits limits, CancellationToken ct)
    {
        var kind = Detect(archive);
        List<Scanned> scanned;
        try
        {
            scanned = kind == ArchiveKind.Zip ? ScanZip(archive, limits, ct) : ScanTar(archive, kind, limits, ct);
        }
        catch (Exception e) when (IsBroken(e))
        {
            throw Broken(kind, e);
        }

        var (plan, stripped) = Plan(scanned, limits);
        if (Directory.Exists(destination) || File.Exists(destination))
        {
            throw new InvalidOperationException($"{destination} already exists; an archive is unpacked into a new folder.");
        }

        Directory.CreateDirectory(destination);
        try
        {
            var root = Path.GetFullPath(destination);
            if (kind == ArchiveKind.Zip)
            {
                WriteZip(archive, root, plan, ct);
            }
            else
            {
                WriteTar(archive, kind, root, plan, ct);
            }

            WriteLinks(root, plan);
            var files = plan.Count(p => p.Kind is Kind.File or Kind.HardLink);
            return new UnpackedArchive(kind, files, plan.Where(p => p.Kind is Kind.File or Kind.HardLink).Sum(p => p.Length), stripped);
        }
        catch (Exception e)
        {
            Builds.BuildPaths.Remove(destination);
            if (e is ArchiveRejectedException or OperationCanceledException)
            {
                throw;
            }

            throw IsBroken(e) ? Broken(kind, e) : new ArchiveRejectedException($"The archive could not be unpacked: {e.Message}", e);
        }
    }

    /// <summary>Tells the archive's kind from its first bytes.</summary>
    public static ArchiveKind Detect(string archive)
    {
        var head = new byte[512];
        int read;
        using (var file = File.OpenRead(archive))
        {
            read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        var bytes = head.AsSpan(0, read);
        if (bytes.StartsWith("PK\u0003\u0004"u8) || bytes.StartsWith("PK\u0005\u0006"u8))
        {
            return ArchiveKind.Zip;
        }

        if (bytes.StartsWith(new byte[] { 0x1f, 0x8b }))
        {
            return ArchiveKind.TarGz;
        }

        if (read >= 262 && bytes[257..262].SequenceEqual("ustar"u8))
        {
            return ArchiveKind.Tar;
        }

        var what = bytes.StartsWith("BZh"u8) ? "a bzip2 file"
            : bytes.StartsWith(new byte[] { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 }) ? "an xz file"
            : bytes.StartsWith(new byte[] { 0x28, 0xb5, 0x2f, 0xfd }) ? "a zstd file"
            : read == 0 ? "empty"
            : $"starts with {Convert.ToHexString(bytes[..Math.Min(8, read)]).ToLowerInvariant()}";
        throw new ArchiveRejectedException($"The source is not an archive Slipway can unpack ({what}): use a .zip or a .tar.gz.");
    }

    private static List<Scanned> ScanTar(string archive, ArchiveKind kind, ArchiveLimits limits, CancellationToken ct)
    {
        var scanned = new List<Scanned>();
        var budget = new Budget(limits);
        using var file = File.OpenRead(archive);
        using var stream = kind == ArchiveKind.TarGz ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        using var reader = new TarReader(stream);
        while (reader.GetNextEntry() is { } entry)
        {
            ct.ThrowIfCancellationRequested();
            var entryKind = entry.EntryType switch
            {
                TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => Kind.File,
                TarEntryType.Directory => Kind.Directory,
                TarEntryType.SymbolicLink => Kind.Symlink,
                TarEntryType.HardLink => Kind.HardLink,
                TarEntryType.GlobalExtendedAttributes => Kind.Skip,
                _ => throw new ArchiveRejectedException($"Entry '{Shorten(entry.Name)}' is a {Describe(entry.EntryType)}; a source archive may hold only files, folders and links."),
            };
            budget.Count(entry.Name);
            var length = entryKind == Kind.File ? entry.Length : 0;
            budget.Add(entry.Name, length);
            var mode = entry.Mode;
            scanned.Add(new Scanned(entry.Name, entryKind, length, entryKind is Kind.Symlink or Kind.HardLink ? entry.LinkName : null, mode));
        }

        return scanned;
    }

    private static List<Scanned> ScanZip(string archive, ArchiveLimits limits, CancellationToken ct)
    {
        var scanned = new List<Scanned>();
        var budget = new Budget(limits);
        using var zip = ZipFile.OpenRead(archive);
        foreach (var entry in zip.Entries)
        {
            ct.ThrowIfCancellationRequested();
            budget.Count(entry.FullName);
            if (entry.IsEncrypted)
            {
                throw new ArchiveRejectedException($"Entry '{Shorten(entry.FullName)}' is encrypted.");
            }

            // Zips made on Unix keep the mode (and file type) in the high half of the external attributes.
            var unix = (entry.ExternalAttributes >> 16) & 0xFFFF;
            var type = unix & 0xF000;
            UnixFileMode? mode = unix != 0 ? (UnixFileMode)(unix & 0x1FF) : null;
            if (type == 0xA000)
            {
                scanned.Add(new Scanned(entry.FullName, Kind.Symlink, 0, ReadZipLinkTarget(entry), mode));
            }
            else if (entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\') || type == 0x4000)
            {
                scanned.Add(new Scanned(entry.FullName, Kind.Directory, 0, null, mode));
            }
            else if (type is 0 or 0x8000)
            {
                budget.Add(entry.FullName, entry.Length);
                scanned.Add(new Scanned(entry.FullName, Kind.File, entry.Length, null, mode));
            }
            else
            {
                throw new ArchiveRejectedException($"Entry '{Shorten(entry.FullName)}' is a special file; a source archive may hold only files, folders and links.");
            }
        }

        return scanned;
    }

    private static string ReadZipLinkTarget(ZipArchiveEntry entry)
    {
        if (entry.Length > MaxLinkTargetLength)
        {
            throw new ArchiveRejectedException($"Symlink '{Shorten(entry.FullName)}' has a target longer than {MaxLinkTargetLength} bytes.");
        }

        using var stream = entry.Open();
        var buffer = new byte[MaxLinkTargetLength + 1];
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read > MaxLinkTargetLength)
        {
            throw new ArchiveRejectedException($"Symlink '{Shorten(entry.FullName)}' has a target longer than {MaxLinkTargetLength} bytes.");
        }

        return System.Text.Encoding.UTF8.GetString(buffer, 0, read);
    }

    /// <summary>Normalizes every path, strips a single top folder, and checks every link; writes nothing.</summary>
    private static (List<Planned> Plan, string? Stripped) Plan(List<Scanned> scanned, ArchiveLimits limits)
    {
        var entries = new List<(int Index, Scanned Entry, string[] Segments)>();
        for (var i = 0; i < scanned.Count; i++)
        {
            if (scanned[i].Kind == Kind.Skip)
            {
                continue;
            }

            var segments = Segments(scanned[i].Name);
            if (segments.Length > 0)
            {
                entries.Add((i, scanned[i], segments));
            }
        }

        // GitHub-style archives keep everything under one folder: the app is that folder's content.
        string? stripped = null;
        if (entries.Count > 0
            && entries.Select(e => e.Segments[0]).Distinct(StringComparer.Ordinal).Count() == 1
            && entries.Any(e => e.Segments.Length > 1)
            && entries.All(e => e.Segments.Length > 1 || e.Entry.Kind == Kind.Directory))
        {
            stripped = entries[0].Segments[0];
            entries = [.. entries.Where(e => e.Segments.Length > 1).Select(e => (e.Index, e.Entry, e.Segments[1..]))];
        }

        var plan = new List<Planned>();
        foreach (var (index, entry, segments) in entries)
        {
            var path = string.Join('/', segments);
            var mode = (entry.Mode ?? (entry.Kind == Kind.Directory ? DefaultDirectoryMode : DefaultFileMode)) & PermissionBits;
            string? target = entry.Kind switch
            {
                Kind.HardLink => HardLinkTarget(entry, stripped),
                Kind.Symlink => entry.LinkTarget,
                _ => null,
            };
            plan.Add(new Planned(index, path, segments, entry.Kind, entry.Length, target, mode));
        }

        var symlinks = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var link in plan.Where(p => p.Kind == Kind.Symlink))
        {
            if (string.IsNullOrEmpty(link.Target) || link.Target.Contains('\0'))
            {
                throw new ArchiveRejectedException($"Symlink '{Shorten(link.Path)}' has no valid target.");
            }

            if (!symlinks.TryAdd(link.Path, link.Target))
            {
                throw new ArchiveRejectedException($"Symlink '{Shorten(link.Path)}' appears twice in the archive.");
            }
        }

        var files = new HashSet<string>(plan.Where(p => p.Kind is Kind.File or Kind.HardLink).Select(p => p.Path), StringComparer.Ordinal);
        foreach (var entry in plan)
        {
            // Nothing may be written through a link, or where a file already stands in for a folder.
            for (var depth = 1; depth < entry.Segments.Length; depth++)
            {
                var parent = string.Join('/', entry.Segments[..depth]);
                if (symlinks.ContainsKey(parent))
                {
                    throw new ArchiveRejectedException($"Entry '{Shorten(entry.Path)}' lies inside symlink '{Shorten(parent)}'; an archive may not write through a link.");
                }

                if (files.Contains(parent))
                {
                    throw new ArchiveRejectedException($"Entry '{Shorten(entry.Path)}' lies inside '{Shorten(parent)}', which is a file.");
                }
            }

            if (entry.Kind != Kind.Symlink && symlinks.ContainsKey(entry.Path))
            {
                throw new ArchiveRejectedException($"Entry '{Shorten(entry.Path)}' is both a symlink and a {(entry.Kind == Kind.Directory ? "folder" : "file")}.");
            }

            if (entry.Kind == Kind.Symlink)
            {
                if (entry.Target!.StartsWith('/'))
                {
                    throw new ArchiveRejectedException($"Symlink '{Shorten(entry.Path)}' points to an absolute path ('{Shorten(entry.Target)}'), outside the build folder.");
                }

                if (Resolve(entry.Segments[..^1], entry.Target, symlinks, 0) is null)
                {
                    throw new ArchiveRejectedException($"Symlink '{Shorten(entry.Path)}' points outside the build folder ('{Shorten(entry.Target)}').");
                }
            }
        }

        long total = 0;
        var byPath = plan.Where(p => p.Kind == Kind.File).GroupBy(p => p.Path).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        for (var i = 0; i < plan.Count; i++)
        {
            var entry = plan[i];
            if (entry.Kind == Kind.HardLink)
            {
                if (!byPath.TryGetValue(entry.Target!, out var source))
                {
                    throw new ArchiveRejectedException($"Hard link '{Shorten(entry.Path)}' points to '{Shorten(entry.Target!)}', which is not a file in the archive.");
                }

                plan[i] = entry with { Length = source.Length, Mode = entry.Mode == 0 ? source.Mode : entry.Mode };
            }

            total += plan[i].Length;
            if (total > limits.MaxUnpackedBytes)
            {
                throw new ArchiveRejectedException($"The archive unpacks to more than {limits.MaxUnpackedBytes} bytes (Slipway:Builds:MaxUnpackedBytes).");
            }
        }

        return (plan, stripped);
    }

    /// <summary>A hard link names another entry by its archive path, which is normalized and stripped like any path.</summary>
    private static string HardLinkTarget(Scanned entry, string? stripped)
    {
        var segments = Segments(entry.LinkTarget ?? "");
        if (stripped is not null)
        {
            if (segments.Length < 2 || segments[0] != stripped)
            {
                throw new ArchiveRejectedException($"Hard link '{Shorten(entry.Name)}' points to '{Shorten(entry.LinkTarget ?? "")}', which is not a file in the archive.");
            }

            segments = segments[1..];
        }

        if (segments.Length == 0)
        {
            throw new ArchiveRejectedException($"Hard link '{Shorten(entry.Name)}' has no target.");
        }

        return string.Join('/', segments);
    }

    /// <summary>
    /// Resolves a link target the way the kernel would, inside the archive's own tree: each
    /// component that is one of the archive's symlinks is followed. Null when the path climbs
    /// above the root at any point, is absolute through a link, or loops.
    /// </summary>
    private static List<string>? Resolve(IEnumerable<string> from, string target, Dictionary<string, string> symlinks, int hops)
    {
        if (hops > MaxLinkHops || target.StartsWith('/'))
        {
            return null;
        }

        var path = new List<string>(from);
        foreach (var segment in target.Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (path.Count == 0)
                {
                    return null;
                }

                path.RemoveAt(path.Count - 1);
                continue;
            }

            path.Add(segment);
            if (symlinks.TryGetValue(string.Join('/', path), out var next))
            {
                path.RemoveAt(path.Count - 1);
                var resolved = Resolve(path, next, symlinks, hops + 1);
                if (resolved is null)
                {
                    return null;
                }

                path = resolved;
            }
        }

        return path;
    }

    /// <summary>An entry's path as segments, or a rejection if it is absolute or climbs with <c>..</c>.</summary>
    private static string[] Segments(string name)
    {
        if (name.Contains('\0'))
        {
            throw new ArchiveRejectedException("An entry's name contains a NUL character.");
        }

        // Zips written on Windows may use backslashes as separators.
        var normalized = name.Replace('\\', '/');
        if (normalized.StartsWith('/') || (normalized.Length >= 2 && char.IsAsciiLetter(normalized[0]) && normalized[1] == ':'))
        {
            throw new ArchiveRejectedException($"Entry '{Shorten(name)}' has an absolute path; every entry must stay inside the build folder.");
        }

        var segments = normalized.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToArray();
        if (segments.Contains(".."))
        {
            throw new ArchiveRejectedException($"Entry '{Shorten(name)}' escapes the build folder ('..' is not allowed in a path).");
        }

        return segments;
    }

    private static void WriteTar(string archive, ArchiveKind kind, string root, List<Planned> plan, CancellationToken ct)
    {
        var byIndex = plan.Where(p => p.Kind is Kind.File or Kind.Directory).ToDictionary(p => p.Index);
        using var file = File.OpenRead(archive);
        using var stream = kind == ArchiveKind.TarGz ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        using var reader = new TarReader(stream);
        var index = 0;
        while (reader.GetNextEntry() is { } entry)
        {
            ct.ThrowIfCancellationRequested();
            if (byIndex.TryGetValue(index++, out var planned))
            {
                if (planned.Kind == Kind.Directory)
                {
                    CreateDirectory(root, planned.Path);
                }
                else
                {
                    WriteFile(root, planned, entry.DataStream ?? Stream.Null);
                }
            }
        }
    }

    private static void WriteZip(string archive, string root, List<Planned> plan, CancellationToken ct)
    {
        using var zip = ZipFile.OpenRead(archive);
        var entries = zip.Entries;
        foreach (var planned in plan)
        {
            ct.ThrowIfCancellationRequested();
            if (planned.Kind == Kind.Directory)
            {
                CreateDirectory(root, planned.Path);
            }
            else if (planned.Kind == Kind.File)
            {
                var entry = entries[planned.Index];
                using var stream = entry.Open();
                var crc = WriteFile(root, planned, stream);

                // .NET stops reading at the declared size; the CRC tells whether that was the whole, true content.
                if (crc != entry.Crc32)
                {
                    throw new ArchiveRejectedException($"Entry '{Shorten(planned.Path)}' is corrupt: its content does not match its checksum (CRC-32).");
                }
            }
        }
    }

    /// <summary>Hard links become copies and symlinks are made last, once no more files are written.</summary>
    private static void WriteLinks(string root, List<Planned> plan)
    {
        foreach (var link in plan.Where(p => p.Kind == Kind.HardLink))
        {
            var path = FullPath(root, link.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Copy(FullPath(root, link.Target!), path, overwrite: true);
            File.SetUnixFileMode(path, link.Mode | UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        foreach (var link in plan.Where(p => p.Kind == Kind.Symlink))
        {
            var path = FullPath(root, link.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (Directory.Exists(path) || File.Exists(path))
            {
                throw new ArchiveRejectedException($"Symlink '{Shorten(link.Path)}' would replace a file or folder of the same name.");
            }

            File.CreateSymbolicLink(path, link.Target!);
        }
    }

    private static void CreateDirectory(string root, string relative) => Directory.CreateDirectory(FullPath(root, relative));

    /// <summary>Writes one file, refusing more bytes than the archive declared for it, and answers its CRC-32.</summary>
    private static uint WriteFile(string root, Planned planned, Stream content)
    {
        var crc = Crc32.Initial;
        var path = FullPath(root, planned.Path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var target = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            var buffer = new byte[81920];
            long written = 0;
            int read;
            while ((read = content.Read(buffer)) > 0)
            {
                written += read;
                if (written > planned.Length)
                {
                    throw new ArchiveRejectedException($"Entry '{Shorten(planned.Path)}' holds more data than the {planned.Length} bytes it declares.");
                }

                crc = Crc32.Append(crc, buffer.AsSpan(0, read));
                target.Write(buffer, 0, read);
            }
        }

        File.SetUnixFileMode(path, planned.Mode | UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return Crc32.Finish(crc);
    }

    /// <summary>The entry's place on disk, checked once more to be inside the root.</summary>
    private static string FullPath(string root, string relative)
    {
        var full = Path.GetFullPath(Path.Combine(root, relative));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArchiveRejectedException($"Entry '{Shorten(relative)}' escapes the build folder.");
        }

        return full;
    }

    private static bool IsBroken(Exception e) => e is InvalidDataException or EndOfStreamException or FormatException or ArgumentException
        || (e is IOException && e is not FileNotFoundException and not DirectoryNotFoundException and not PathTooLongException);

    private static ArchiveRejectedException Broken(ArchiveKind kind, Exception e) =>
        new($"The {Describe(kind)} archive is broken (truncated or corrupt): {e.Message}", e);

    private static string Describe(ArchiveKind kind) => kind switch
    {
        ArchiveKind.Zip => "zip",
        ArchiveKind.TarGz => "tar.gz",
        _ => "tar",
    };

    private static string Describe(TarEntryType type) => type switch
    {
        TarEntryType.CharacterDevice => "character device",
        TarEntryType.BlockDevice => "block device",
        TarEntryType.Fifo => "FIFO",
        _ => $"'{type}' entry",
    };

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";

    private const UnixFileMode PermissionBits = (UnixFileMode)0x1FF;
    private const UnixFileMode DefaultFileMode = (UnixFileMode)0x1A4;
    private const UnixFileMode DefaultDirectoryMode = (UnixFileMode)0x1ED;

    private sealed record Scanned(string Name, Kind Kind, long Length, string? LinkTarget, UnixFileMode? Mode);

    private sealed record Planned(int Index, string Path, string[] Segments, Kind Kind, long Length, string? Target, UnixFileMode Mode);

    /// <summary>The CRC-32 (IEEE) that zip entries carry; the framework has none built in.</summary>
    private static class Crc32
    {
        public const uint Initial = 0xFFFFFFFF;

        private static readonly uint[] Table = BuildTable();

        public static uint Append(uint crc, ReadOnlySpan<byte> bytes)
        {
            foreach (var b in bytes)
            {
                crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            }

            return crc;
        }

        public static uint Finish(uint crc) => crc ^ 0xFFFFFFFF;

        private static uint[] BuildTable()
        {
            var table = new uint[256];
            for (uint i = 0; i < 256; i++)
            {
                var c = i;
                for (var k = 0; k < 8; k++)
                {
                    c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
                }

                table[i] = c;
            }

            return table;
        }
    }

    /// <summary>Counts entries and bytes as they are read, so a hostile archive is refused at the first entry too many.</summary>
    private sealed class Budget(ArchiveLimits limits)
    {
        private int _entries;
        private long _bytes;

        public void Count(string name)
        {
            if (++_entries > limits.MaxEntries)
            {
                throw new ArchiveRejectedException($"The archive has more than {limits.MaxEntries} entries (Slipway:Builds:MaxEntries).");
            }
        }

        public void Add(string name, long length)
        {
            if (length > limits.MaxFileBytes)
            {
                throw new ArchiveRejectedException($"Entry '{Shorten(name)}' is {length} bytes; the limit per file is {limits.MaxFileBytes} (Slipway:Builds:MaxFileBytes).");
            }

            _bytes += length;
            if (_bytes > limits.MaxUnpackedBytes)
            {
                throw new ArchiveRejectedException($"The archive unpacks to more than {limits.MaxUnpackedBytes} bytes (Slipway:Builds:MaxUnpackedBytes).");
            }
        }
    }
}
