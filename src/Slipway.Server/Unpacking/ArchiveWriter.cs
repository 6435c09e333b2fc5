using Slipway.Server.Builds;

namespace Slipway.Server.Unpacking;

/// <summary>
/// Puts on disk what <see cref="ArchiveTree"/> allowed, under one new folder: folders and files
/// as they come (the tree has checked every folder above them is a real folder, and no link exists
/// before the end, so no write can pass through one), then the top folder stripped if asked, the
/// links, and for a read-only unpack the write bits taken off every folder. Only permission bits
/// reach the disk: setuid, setgid and sticky bits are dropped.
/// </summary>
internal sealed class ArchiveWriter(string destination, ArchiveRules rules)
{
    private const UnixFileMode Permissions = (UnixFileMode)0x1FF;
    private const UnixFileMode WriteBits = UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
    private const UnixFileMode DefaultFileMode = (UnixFileMode)0x1A4;
    private const UnixFileMode DefaultDirectoryMode = (UnixFileMode)0x1ED;
    private const UnixFileMode OwnerAll = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly string _root = Path.GetFullPath(destination);
    private bool _begun;
    private string? _staging;

    /// <summary>Makes the folder; one that exists must be empty (a caller's fresh temporary folder).</summary>
    public void Begin()
    {
        if (File.Exists(_root) || (Directory.Exists(_root) && Directory.EnumerateFileSystemEntries(_root).Any()))
        {
            throw new InvalidOperationException("An archive is unpacked into a new or empty folder.");
        }

        Directory.CreateDirectory(_root);
        _begun = true;
    }

    public void Folder(string[] segments, UnixFileMode? mode)
    {
        var path = PathOf(segments);
        Directory.CreateDirectory(path);

        // The owner keeps full access while the archive is written; a read-only unpack takes the write bits off at the end.
        File.SetUnixFileMode(path, ((mode ?? DefaultDirectoryMode) & Permissions) | OwnerAll);
    }

    /// <summary>A new, empty file for an entry (one an earlier entry of the same name wrote is replaced).</summary>
    public FileStream Create(string[] segments)
    {
        var path = PathOf(segments);
        EnsureParent(segments);
        File.Delete(path);
        return new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
    }

    public void SetFileMode(string[] segments, UnixFileMode? mode) => File.SetUnixFileMode(PathOf(segments), ModeOf(mode ?? DefaultFileMode));

    /// <summary>A hard link becomes a copy of the file it names, with the link's mode, or the file's when the link has none.</summary>
    public void Copy(string[] from, string[] to, UnixFileMode? mode, Action<Stream, Stream> copy)
    {
        var source = PathOf(from);
        using (var input = File.OpenRead(source))
        using (var output = Create(to))
        {
            copy(input, output);
        }

        File.SetUnixFileMode(PathOf(to), ModeOf(mode is null or 0 ? File.GetUnixFileMode(source) : mode.Value));
    }

    public void EnsureParent(string[] segments)
    {
        if (segments.Length > 1)
        {
            Directory.CreateDirectory(PathOf(segments[..^1]));
        }
    }

    /// <summary>Strips the top folder (when <paramref name="top"/> is set), makes the links, and for a read-only unpack takes the write bits off every folder.</summary>
    public void Finish(string? top, IEnumerable<ArchiveTree.Node> links, CancellationToken ct)
    {
        if (top is not null)
        {
            _staging = _root + ".top-" + Guid.NewGuid().ToString("N");
            Directory.Move(PathOf([top]), _staging);
            Directory.Delete(_root);
            Directory.Move(_staging, _root);
            _staging = null;
        }

        foreach (var link in links)
        {
            ct.ThrowIfCancellationRequested();
            var segments = link.Segments;
            File.CreateSymbolicLink(PathOf(top is null ? segments : segments[1..]), link.Target!);
        }

        if (rules.ReadOnly)
        {
            var folders = new DirectoryInfo(_root).EnumerateDirectories("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint });
            foreach (var folder in folders)
            {
                ct.ThrowIfCancellationRequested();
                folder.UnixFileMode &= ~WriteBits;
            }
        }
    }

    /// <summary>Removes whatever was written; nothing of a refused archive stays on disk.</summary>
    public void Abort()
    {
        if (_begun)
        {
            BuildPaths.Remove(_root);
        }

        if (_staging is not null)
        {
            BuildPaths.Remove(_staging);
        }
    }

    private UnixFileMode ModeOf(UnixFileMode mode) => rules.ReadOnly
        ? (mode & Permissions & ~WriteBits) | UnixFileMode.UserRead
        : (mode & Permissions) | UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The entry's place on disk, checked once more to be inside the folder (the tree has already refused any name that could leave it).</summary>
    private string PathOf(string[] segments)
    {
        var full = Path.GetFullPath(Path.Join(_root, string.Join('/', segments)));
        return full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? full
            : throw new ArchiveRejectedException($"Entry '{ArchiveExtractor.Shown(string.Join('/', segments))}' escapes {rules.Folder}.");
    }
}
