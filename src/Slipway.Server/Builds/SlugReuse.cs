using System.Security.Cryptography;
using System.Text;

namespace Slipway.Server.Builds;

/// <summary>
/// "Same source, same slug", keyed on everything that can change the slug: the source's digest, the
/// buildpack (its identity and a digest of its files, so an edited or updated buildpack builds anew)
/// and the config vars <c>bin/compile</c> sees in <c>ENV_DIR</c> (a digest of names and values).
/// </summary>
public static class SlugReuse
{
    /// <summary>The config vars a build hands <c>bin/compile</c> as <c>ENV_DIR</c> files: names that stay inside the folder.</summary>
    public static IEnumerable<KeyValuePair<string, string>> BuildConfig(IReadOnlyDictionary<string, string> config) =>
        config.Where(v => !v.Key.Contains('/') && !v.Key.StartsWith('.'));

    /// <summary>The reuse key (64 lowercase hex) of a build of <paramref name="sourceDigest"/> with this buildpack and config.</summary>
    public static string KeyOf(string sourceDigest, Buildpack buildpack, IReadOnlyDictionary<string, string> config)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Add(hash, "source", sourceDigest);
        Add(hash, "buildpack", buildpack.Url);
        Add(hash, "buildpack-content", DigestOfFolder(buildpack.Dir));
        foreach (var (name, value) in BuildConfig(config).OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            Add(hash, "env " + name, value);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>A digest of a folder's files (paths, modes, contents and link targets), <c>.git</c> left out.</summary>
    public static string DigestOfFolder(string root)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var entries = new DirectoryInfo(root)
            .EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true })
            .Select(e => (Entry: e, Path: Path.GetRelativePath(root, e.FullName)))
            .Where(e => e.Path != ".git" && !e.Path.StartsWith(".git/", StringComparison.Ordinal))
            .OrderBy(e => e.Path, StringComparer.Ordinal);
        foreach (var (entry, path) in entries)
        {
            Add(hash, "path", $"{path} {(int)entry.UnixFileMode}");
            if (entry.LinkTarget is { } target)
            {
                Add(hash, "link", target);
            }
            else if (entry is FileInfo file)
            {
                using var content = file.OpenRead();
                hash.AppendData(SHA256.HashData(content));
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Length-prefixed, so that no two different inputs hash alike.</summary>
    private static void Add(IncrementalHash hash, string label, string value)
    {
        foreach (var part in new[] { label, value })
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }
    }
}
