namespace Slipway.Server.Unpacking;

internal enum EntryKind
{
    File,
    Directory,
    Symlink,
    HardLink,
}

/// <summary>
/// One entry as the archive describes it: its name as written, what it is, the bytes of data it
/// declares, its link target, its mode bits (when the archive has them) and, for zips, its CRC-32.
/// </summary>
internal sealed record ArchiveEntry(string Name, EntryKind Kind, long Length, string? LinkTarget, UnixFileMode? Mode, uint? Crc);

/// <summary>The entries of an archive, read one at a time; the current entry's data is read from <see cref="Content"/>.</summary>
internal interface IArchiveEntries : IDisposable
{
    ArchiveKind Kind { get; }

    /// <summary>The current entry's data: at most the bytes it declares. Whatever is left unread is skipped by <see cref="Next"/>.</summary>
    Stream Content { get; }

    /// <summary>The next entry, or null at the end of the archive.</summary>
    ArchiveEntry? Next();
}
