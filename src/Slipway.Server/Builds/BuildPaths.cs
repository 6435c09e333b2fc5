using Microsoft.Extensions.Options;

namespace Slipway.Server.Builds;

/// <summary>
/// Where builds keep files under the data folder: <c>builds/incoming</c> (downloads and slugs
/// being packed), <c>builds/work/&lt;build&gt;</c> (a fresh workspace per build), <c>builds/cache/&lt;app&gt;</c>
/// (the buildpack cache that survives builds) and <c>sources</c> (uploads from <c>POST /sources</c>).
/// </summary>
public sealed class BuildPaths(IOptions<SlipwayOptions> options)
{
    public string Root => Path.Combine(options.Value.FullDataDir, "builds");

    public string Work => Path.Combine(Root, "work");

    public string Incoming => Path.Combine(Root, "incoming");

    public string Uploads => Path.Combine(options.Value.FullDataDir, "sources");

    public string UploadsIncoming => Path.Combine(Uploads, "incoming");

    public string WorkOf(Guid buildId) => Path.Combine(Work, buildId.ToString("N"));

    public string CacheOf(Guid appId) => Path.Combine(Root, "cache", appId.ToString("N"));

    public string UploadOf(Guid sourceId) => Path.Combine(Uploads, sourceId.ToString("N") + ".archive");

    /// <summary>Deletes a file or folder if it is there; a build's leftovers must never fail the build.</summary>
    public static void Remove(string path)
    {
        try
        {
            if (Directory.Exists(path) && !File.GetAttributes(path).HasFlag(FileAttributes.ReparsePoint))
            {
                MakeWritable(path);
                Directory.Delete(path, recursive: true);
            }
            else if (File.Exists(path) || Directory.Exists(path))
            {
                File.Delete(path);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>A buildpack may leave read-only folders (Go's module cache does); deleting needs write access.</summary>
    private static void MakeWritable(string root)
    {
        foreach (var dir in new DirectoryInfo(root).EnumerateDirectories("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true }))
        {
            if ((dir.UnixFileMode & UnixFileMode.UserWrite) == 0)
            {
                dir.UnixFileMode |= UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            }
        }
    }
}
