using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Slipway.Contracts;
using Slipway.Server.Slugs;
using Slipway.TestSupport;

namespace Slipway.Server.Tests.Builds;

/// <summary>What a test reads back from a slug: each entry's type, mode, and text (for small files) or link target.</summary>
public sealed record SlugEntry(TarEntryType Type, UnixFileMode Mode, string? Text, string? LinkTarget);

/// <summary>Build calls over the real API, and the looks inside slugs and the data folder that build tests need.</summary>
public static class BuildCalls
{
    public static async Task<BuildResponse> StartBuildAsync(this Api api, string app, object body) =>
        await Api.ReadAsync<BuildResponse>(await api.Http.PostAsJsonAsync($"/apps/{app}/builds", body, SlipwayJson.Options), HttpStatusCode.Created);

    public static Task<BuildResponse> StartBuildAsync(this Api api, string app, string url, string? checksum = null, bool deploy = true) =>
        api.StartBuildAsync(app, new CreateBuildRequest(new SourceBlobRequest(url, checksum, null, null), null, null, null, null, null, null, null, null, deploy));

    /// <summary>
    /// Reads the build's output stream (without a token: its URL carries the key) to its end,
    /// which comes when the build has ended, then answers the build and its output.
    /// </summary>
    public static async Task<(BuildResponse Build, string Output)> WaitForBuildAsync(this Api api, BuildResponse build, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        using var anonymous = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var output = await anonymous.GetStringAsync(build.OutputStreamUrl, cancel.Token);
        var ended = await api.GetBuildAsync(build.App.Name, build.Id.ToString());
        Assert.NotEqual("pending", ended.Status);
        return (ended, output);
    }

    public static async Task<(BuildResponse Build, string Output)> BuildAsync(this Api api, string app, string url, string? checksum = null, TimeSpan? timeout = null) =>
        await api.WaitForBuildAsync(await api.StartBuildAsync(app, url, checksum), timeout);

    public static async Task<BuildResponse> GetBuildAsync(this Api api, string app, string build) =>
        await Api.ReadAsync<BuildResponse>(await api.Http.GetAsync($"/apps/{app}/builds/{build}"), HttpStatusCode.OK);

    public static async Task<SlugResponse> GetSlugAsync(this Api api, Guid slug) =>
        await Api.ReadAsync<SlugResponse>(await api.Http.GetAsync($"/slugs/{slug}"), HttpStatusCode.OK);

    /// <summary>Unpacks the slug from the server's slug store and lists its entries by name.</summary>
    public static async Task<Dictionary<string, SlugEntry>> SlugEntriesAsync(this SlipwayTestServer server, Api api, Guid slugId)
    {
        var slug = await api.GetSlugAsync(slugId);
        Assert.True(slug.Uploaded);
        var store = server.Services.GetRequiredService<ISlugStore>();
        var entries = new Dictionary<string, SlugEntry>(StringComparer.Ordinal);
        await using var content = await store.OpenReadAsync(slug.Checksum["SHA256:".Length..], CancellationToken.None);
        await using var gzip = new GZipStream(content, CompressionMode.Decompress);
        await using var tar = new TarReader(gzip);
        while (await tar.GetNextEntryAsync() is { } entry)
        {
            string? text = null;
            if (entry.DataStream is { } data && entry.Length < 64 * 1024)
            {
                using var reader = new StreamReader(data, Encoding.UTF8);
                text = await reader.ReadToEndAsync();
            }

            entries[entry.Name] = new SlugEntry(entry.EntryType, entry.Mode, text, entry.EntryType is TarEntryType.SymbolicLink ? entry.LinkName : null);
        }

        return entries;
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

/// <summary>An <see cref="ArchiveServer"/> shared by a test class.</summary>
public sealed class ArchiveServerFixture : IAsyncLifetime
{
    private ArchiveServer? _server;

    public ArchiveServer Server => _server ?? throw new InvalidOperationException("The archive server has not started.");

    public async ValueTask InitializeAsync() => _server = await ArchiveServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
