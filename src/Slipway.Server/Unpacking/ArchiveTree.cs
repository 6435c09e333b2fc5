using System.Text;

namespace Slipway.Server.Unpacking;

/// <summary>
/// What the archive has made so far, as a tree of folders, files and links: each entry is checked
/// against it as it arrives (nothing is written inside a file or through a link, a link is never
/// replaced), and once every entry is known each link is resolved the way the kernel would, through
/// the other links, and refused if it leads outside. It counts every entry, folders an entry
/// implies included, and the bytes of names it keeps, so its memory is bounded by the rules.
/// </summary>
internal sealed class ArchiveTree(ArchiveRules rules, CancellationToken ct)
{
    /// <summary>Linux's MAXSYMLINKS: a path may go through at most this many links.</summary>
    private const int MaxLinkHops = 40;

    /// <summary>Linux's NAME_MAX: the longest name of one file or folder, in bytes.</summary>
    private const int MaxNameLength = 255;

    private readonly List<Node> _links = [];
    private int _entries;
    private long _nameBytes;

    public Node Root { get; } = new(null, "", EntryKind.Directory);

    public IReadOnlyList<Node> Links => _links;

    /// <summary>
    /// An entry's path as names, refused when it is absolute, climbs with <c>..</c>, holds a NUL,
    /// or is longer or deeper than the rules allow. Backslashes count as separators (zips from Windows).
    /// </summary>
    public string[] Segments(string name)
    {
        if (name.Contains('\0'))
        {
            throw new ArchiveRejectedException($"Entry '{ArchiveExtractor.Shown(name)}' has a NUL character in its name.");
        }

        var bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes > rules.Shared.MaxPathLength)
        {
            throw new ArchiveRejectedException(
                $"Entry '{ArchiveExtractor.Shown(name)}' has a name of {bytes} bytes; at most {rules.Shared.MaxPathLength} are allowed ({ArchiveOptions.Section}:MaxPathLength).");
        }

        var normalized = name.Replace('\\', '/');
        if (normalized.StartsWith('/') || (normalized.Length >= 2 && char.IsAsciiLetter(normalized[0]) && normalized[1] == ':'))
        {
            throw new ArchiveRejectedException($"Entry '{ArchiveExtractor.Shown(name)}' has an absolute path; every entry must stay inside {rules.Folder}.");
        }

        var segments = normalized.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToArray();
        if (segments.Contains(".."))
        {
            throw new ArchiveRejectedException($"Entry '{ArchiveExtractor.Shown(name)}' escapes {rules.Folder} ('..' is not allowed in a path).");
        }

        if (segments.Length > rules.Shared.MaxDepth)
        {
            throw new ArchiveRejectedException(
                $"Entry '{ArchiveExtractor.Shown(name)}' is {segments.Length} levels deep; at most {rules.Shared.MaxDepth} are allowed ({ArchiveOptions.Section}:MaxDepth).");
        }

        if (segments.Any(s => Encoding.UTF8.GetByteCount(s) > MaxNameLength))
        {
            throw new ArchiveRejectedException($"Entry '{ArchiveExtractor.Shown(name)}' has a name part longer than {MaxNameLength} bytes.");
        }

        return segments;
    }

    /// <summary>Counts one entry of the archive against <see cref="ArchiveRules.MaxEntries"/>.</summary>
    public void Count()
    {
        if (++_entries > rules.MaxEntries)
        {
            throw ArchiveExtractor.TooManyEntries(rules);
        }
    }

    /// <summary>
    /// Records an entry at <paramref name="segments"/> (a hard link is recorded as the file it
    /// copies): every folder above it must be a folder (made if new), never a file or a link; a
    /// folder may be listed again and a file replaced by a file, nothing else may take a place already taken.
    /// </summary>
    public Node Add(string[] segments, EntryKind kind, string? target = null)
    {
        var node = Root;
        foreach (var name in segments.AsSpan(0, segments.Length - 1))
        {
            var child = node.Child(name) ?? Implied(node, name);
            if (child.Kind == EntryKind.Symlink)
            {
                throw new ArchiveRejectedException(
                    $"Entry '{ArchiveExtractor.Shown(Join(segments))}' lies inside symlink '{ArchiveExtractor.Shown(child.Path)}'; an archive may not write through a link.");
            }

            if (child.Kind != EntryKind.Directory)
            {
                throw new ArchiveRejectedException($"Entry '{ArchiveExtractor.Shown(Join(segments))}' lies inside '{ArchiveExtractor.Shown(child.Path)}', which is a file.");
            }

            node = child;
        }

        var recorded = kind == EntryKind.HardLink ? EntryKind.File : kind;
        if (node.Child(segments[^1]) is not { } existing)
        {
            var added = New(node, segments[^1], recorded);
            if (kind == EntryKind.Symlink)
            {
                Remember(target!.Length);
                added.Target = target;
                _links.Add(added);
            }

            return added;
        }

        if (existing.Kind == recorded && recorded != EntryKind.Symlink)
        {
            return existing;
        }

        var path = ArchiveExtractor.Shown(existing.Path);
        throw (existing.Kind, recorded) switch
        {
            (EntryKind.Symlink, EntryKind.Symlink) => new ArchiveRejectedException($"Symlink '{path}' appears twice in the archive."),
            (EntryKind.Symlink, _) or (_, EntryKind.Symlink) => new ArchiveRejectedException(
                $"Entry '{path}' is both a symlink and a {(existing.Kind == EntryKind.Directory || recorded == EntryKind.Directory ? "folder" : "file")}; a link may not be replaced, nor replace anything."),
            _ => new ArchiveRejectedException($"Entry '{path}' is both a folder and a file."),
        };
    }

    /// <summary>The file a hard link names, which must be a file the archive already holds, reached through folders only.</summary>
    public Node HardLinkSource(string[] link, string[] target, string shownTarget)
    {
        var node = Root;
        foreach (var name in target)
        {
            node = node.Child(name) ?? throw NotAFile();
            if (node.Kind == EntryKind.Symlink)
            {
                throw new ArchiveRejectedException($"Hard link '{ArchiveExtractor.Shown(Join(link))}' points through symlink '{ArchiveExtractor.Shown(node.Path)}'.");
            }
        }

        return node.Kind == EntryKind.File ? node : throw NotAFile();

        ArchiveRejectedException NotAFile() => new($"Hard link '{ArchiveExtractor.Shown(Join(link))}' points to '{shownTarget}', which is not a file in the archive.");
    }

    /// <summary>
    /// Resolves every link against the whole tree, as the kernel would once all is unpacked: each
    /// name that is a link is followed (chains included), <c>..</c> goes to the real parent, and a
    /// link that leads above <paramref name="root"/> at any step is refused. Each link is resolved
    /// once (the answer is kept for links through it), so the work is bounded by the names kept.
    /// </summary>
    public void CheckLinks(Node root)
    {
        foreach (var link in _links)
        {
            Resolve(link, root, 0);
        }
    }

    private static string Join(string[] segments) => string.Join('/', segments);

    private (Node Node, int Missing) Resolve(Node link, Node root, int hops)
    {
        if (link.Resolved is { } done)
        {
            return (done, link.ResolvedMissing);
        }

        if (link.Resolving)
        {
            throw new ArchiveRejectedException($"Symlink '{ArchiveExtractor.Shown(link.Path)}' is part of a loop of links.");
        }

        if (hops == MaxLinkHops)
        {
            throw new ArchiveRejectedException($"Symlink '{ArchiveExtractor.Shown(link.Path)}' goes through more than {MaxLinkHops} links.");
        }

        link.Resolving = true;
        var (node, missing) = Walk(link, root, hops);
        link.Resolving = false;
        link.Resolved = node;
        link.ResolvedMissing = missing;
        return (node, missing);
    }

    /// <summary>
    /// Follows a link's target from the folder it is in. Names the archive does not hold count as
    /// <c>missing</c> levels below the last real node (they can hold no link, and <c>..</c> leaves them first).
    /// </summary>
    private (Node Node, int Missing) Walk(Node link, Node root, int hops)
    {
        var node = link.Parent!;
        var missing = 0;
        foreach (var name in link.Target!.Split('/'))
        {
            ct.ThrowIfCancellationRequested();
            if (name is "" or ".")
            {
                continue;
            }

            if (name == "..")
            {
                if (missing > 0)
                {
                    missing--;
                }
                else if (node == root)
                {
                    throw new ArchiveRejectedException(
                        $"Symlink '{ArchiveExtractor.Shown(link.Path)}' points outside {rules.Folder} ('{ArchiveExtractor.Shown(link.Target)}').");
                }
                else
                {
                    node = node.Parent!;
                }

                continue;
            }

            if (missing > 0 || node.Child(name) is not { } child)
            {
                missing++;
                continue;
            }

            if (child.Kind == EntryKind.Symlink)
            {
                (node, missing) = Resolve(child, root, hops + 1);
            }
            else
            {
                node = child;
            }
        }

        return (node, missing);
    }

    /// <summary>A folder an entry implies before (or without) the archive listing it: it is made on disk all the same, so it counts as an entry.</summary>
    private Node Implied(Node parent, string name)
    {
        Count();
        return New(parent, name, EntryKind.Directory);
    }

    private Node New(Node parent, string name, EntryKind kind)
    {
        Remember(name.Length);
        var node = new Node(parent, name, kind);
        (parent.Children ??= new(StringComparer.Ordinal)).Add(name, node);
        return node;
    }

    private void Remember(long chars)
    {
        _nameBytes += chars;
        if (_nameBytes > rules.Shared.MaxNameBytes)
        {
            throw new ArchiveRejectedException($"The archive's names take more than {rules.Shared.MaxNameBytes} bytes ({ArchiveOptions.Section}:MaxNameBytes).");
        }
    }

    /// <summary>A folder, file or link of the archive; a link keeps its target and, once resolved, where it leads.</summary>
    internal sealed class Node(Node? parent, string name, EntryKind kind)
    {
        public Node? Parent { get; } = parent;

        public string Name { get; } = name;

        public EntryKind Kind { get; } = kind;

        public Dictionary<string, Node>? Children { get; set; }

        /// <summary>A file's length, for the hard links that copy it.</summary>
        public long Length { get; set; }

        public string? Target { get; set; }

        public Node? Resolved { get; set; }

        public int ResolvedMissing { get; set; }

        public bool Resolving { get; set; }

        /// <summary>The names from the archive's root down to this node.</summary>
        public string[] Segments
        {
            get
            {
                var names = new List<string>();
                for (var node = this; node.Parent is not null; node = node.Parent)
                {
                    names.Add(node.Name);
                }

                names.Reverse();
                return [.. names];
            }
        }

        public string Path => Join(Segments);

        public Node? Child(string name) => Children?.GetValueOrDefault(name);
    }
}
