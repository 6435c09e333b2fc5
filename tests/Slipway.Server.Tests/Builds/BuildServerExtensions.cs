using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Slipway.Contracts;
using Slipway.Server.Slugs;
using Slipway.Server.Tests.Runtime;

namespace Slipway.Server.Tests.Builds;

/// <summary>What a test reads back from a slug: each entry's type, mode, and text (for small files) or link target, and its owner.</summary>
public sealed record SlugEntry(TarEntryType Type, UnixFileMode Mode, string? Text, string? LinkTarget)
{
    public int Uid { get; init; }

    public string UserName { get; init; } = "";
}

/// <summary>The looks inside slugs and the data folder that build tests need, and the buildpacks they write.</summary>
public static class BuildServerExtensions
{
    /// <summary>Unpacks the slug from the server's slug store and lists its entries by name.</summary>
    public static async Task<Dictionary<string, SlugEntry>> SlugEntriesAsync(this SlipwayTestServer server, SlipwayApi api, Guid slugId)
    {
        var slug = await api.GetSlugAsync(slugId);
        Assert.True(slug.Uploaded);
        var store = server.Services.GetRequiredService<ISlugStore>();
        await using var content = await store.OpenReadAsync(slug.Checksum["SHA256:".Length..], CancellationToken.None);
        var entries = new Dictionary<string, SlugEntry>(StringComparer.Ordinal);
        foreach (var (name, entry) in await SlugEntriesOfAsync(content))
        {
            entries[name] = entry;
        }

        return entries;
    }

    /// <summary>A slug's entries (its tar.gz read from <paramref name="slug"/>), by name in the order they were packed.</summary>
    public static async Task<List<KeyValuePair<string, SlugEntry>>> SlugEntriesOfAsync(Stream slug)
    {
        var entries = new List<KeyValuePair<string, SlugEntry>>();
        await using var gzip = new GZipStream(slug, CompressionMode.Decompress, leaveOpen: true);
        await using var tar = new TarReader(gzip);
        while (await tar.GetNextEntryAsync() is { } entry)
        {
            string? text = null;
            if (entry.DataStream is { } data && entry.Length < 64 * 1024)
            {
                using var reader = new StreamReader(data, Encoding.UTF8);
                text = await reader.ReadToEndAsync();
            }

            var read = new SlugEntry(entry.EntryType, entry.Mode, text, entry.EntryType is TarEntryType.SymbolicLink ? entry.LinkName : null)
            {
                Uid = entry.Uid,
                UserName = entry is PosixTarEntry posix ? posix.UserName : "",
            };
            entries.Add(new(entry.Name, read));
        }

        return entries;
    }

    /// <summary>
    /// Waits for the release <paramref name="build"/> made to succeed (its processes up), then for the
    /// router to answer 200 with a body starting with <paramref name="prefix"/>; answers that body.
    /// </summary>
    public static async Task<string> ServesReleaseOfAsync(this RuntimeApp app, BuildResponse build, string prefix, TimeSpan timeout)
    {
        var release = await app.SettledAsync(build.Release!.Version, timeout);
        Assert.True(release.Status == "succeeded", $"v{release.Version} is {release.Status}: {release.FailureReason}");
        return await app.ServesAsync(prefix);
    }

    /// <summary>Asserts that no build left anything in its workspace or incoming folders.</summary>
    public static void AssertNoBuildLeftovers(this SlipwayTestServer server)
    {
        foreach (var folder in new[] { "builds/work", "builds/incoming" })
        {
            var path = Path.Combine(server.DataDir, folder);
            Assert.True(!Directory.Exists(path) || !Directory.EnumerateFileSystemEntries(path).Any(), $"{folder} is not empty: {string.Join(", ", Directory.Exists(path) ? Directory.EnumerateFileSystemEntries(path) : [])}");
        }
    }

    /// <summary>
    /// Writes a buildpack into a new folder under the server's data folder (removed with it):
    /// <paramref name="scripts"/> maps bin/ names to bash bodies. Answers the folder, for BUILDPACK_URL.
    /// </summary>
    public static string WriteBuildpack(this SlipwayTestServer server, IReadOnlyDictionary<string, string> scripts)
    {
        var dir = Path.Combine(server.DataDir, "test-buildpacks", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(dir, "bin"));
        foreach (var (name, body) in scripts)
        {
            var path = Path.Combine(dir, "bin", name);
            File.WriteAllText(path, "#!/usr/bin/env bash\nset -eu\n" + body + "\n");
            File.SetUnixFileMode(path, (UnixFileMode)0x1ED);
        }

        return dir;
    }
}
