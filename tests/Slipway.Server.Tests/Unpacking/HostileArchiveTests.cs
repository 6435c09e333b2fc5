using System.Formats.Tar;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Slipway.Contracts;
using Slipway.Server.Data;
using Slipway.Server.Runtime;
using Slipway.Server.Tests.Builds;
using Slipway.Server.Tests.Sources;

namespace Slipway.Server.Tests.Unpacking;

/// <summary>
/// The hostile-archive catalogue through the API, for sources and slugs alike (one reader, one
/// rule set): every hostile source fails its build with a clear reason, and every hostile slug is
/// refused at upload (422) and never kept, each within a bounded time; nothing is written outside
/// (or inside) the data folder, no workspace is left, no slug or release is made, and no reason
/// holds a server path.
/// </summary>
public sealed class HostileArchiveTests(SmallLimitsServerFixture fixture, ArchiveServer archives) : IClassFixture<SmallLimitsServerFixture>, IClassFixture<ArchiveServer>
{
    /// <summary>Generous on a loaded machine, and still proof that a tiny archive cannot hold a build slot for minutes.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static readonly byte[] ProcfileApp = Archives.TarGz([new ArchiveFile("Procfile", "web: python3 -m http.server --bind 127.0.0.1 $PORT\n")]);

    private readonly SlipwayApi _api = fixture.Api;

    private SlipwayTestServer Server => fixture.Server;

    [Theory]
    [InlineData("zip-slip")]
    [InlineData("tar-dotdot")]
    [InlineData("absolute-path")]
    [InlineData("symlink-escape")]
    [InlineData("symlink-chain")]
    [InlineData("link-then-file")]
    [InlineData("link-replaced-by-folder")]
    [InlineData("hardlink-escape")]
    [InlineData("device")]
    [InlineData("zip-fifo")]
    [InlineData("pax-path-200k")]
    [InlineData("gnu-long-name-1gib")]
    [InlineData("bomb")]
    [InlineData("too-deep")]
    [InlineData("file-too-large")]
    [InlineData("unpacks-too-large")]
    [InlineData("download-too-large")]
    [InlineData("too-many-entries")]
    [InlineData("truncated-tar-gz")]
    [InlineData("truncated-zip")]
    [InlineData("not-an-archive")]
    public async Task Build_HostileArchive_FailsCleanlyLeavingNothing(string scenario)
    {
        var marker = "evil-" + SlipwayApi.Unique();
        var (bytes, expected) = HostileSource(scenario, marker);
        var app = await _api.CreateAppAsync();

        var (build, output) = await _api.BuildAsync(app.Name, archives.Serve(bytes, scenario.Contains("zip", StringComparison.Ordinal) ? "source.zip" : "source.tar.gz"), timeout: Bound);

        Assert.Equal("failed", build.Status);
        Assert.Contains(expected, build.FailureReason);
        Assert.DoesNotContain(Server.DataDir, build.FailureReason, StringComparison.Ordinal);
        Assert.Contains(" !     " + build.FailureReason, output);
        Assert.Null(build.Slug);
        Assert.Null(build.Release);
        Assert.Empty(await _api.ListReleasesAsync(app.Name));
        await using (var scope = Server.Services.CreateAsyncScope())
        {
            Assert.False(await scope.ServiceProvider.GetRequiredService<SlipwayDb>().Slugs.AnyAsync(s => s.AppId == app.Id));
        }

        Server.AssertNoBuildLeftovers();
        AssertNothingWritten(marker);
    }

    [Theory]
    [InlineData("dotdot")]
    [InlineData("absolute-path")]
    [InlineData("symlink-escape")]
    [InlineData("absolute-symlink")]
    [InlineData("symlink-chain")]
    [InlineData("link-then-file")]
    [InlineData("link-replaced-by-folder")]
    [InlineData("hardlink-escape")]
    [InlineData("device")]
    [InlineData("fifo")]
    [InlineData("pax-path-200k")]
    [InlineData("gnu-long-name-1gib")]
    [InlineData("bomb")]
    [InlineData("too-deep")]
    [InlineData("unpacks-too-large")]
    [InlineData("too-many-entries")]
    [InlineData("truncated")]
    public async Task Upload_HostileSlug_IsRefusedAndNeverKept(string scenario)
    {
        var marker = "evil-" + SlipwayApi.Unique();
        var (bytes, expected) = HostileSlug(scenario, marker);
        var app = await _api.CreateAppAsync();

        var (slug, upload) = await _api.PutSlugAsync(app.Name, bytes, new Dictionary<string, string> { ["web"] = SlipwayApi.StaticWeb }).WaitAsync(Bound);

        var problem = await SlipwayApi.ProblemAsync(upload, HttpStatusCode.UnprocessableEntity);
        Assert.StartsWith("The slug is refused: ", problem, StringComparison.Ordinal);
        Assert.Contains(expected, problem);
        Assert.EndsWith(" Nothing was kept.", problem, StringComparison.Ordinal);
        Assert.DoesNotContain(Server.DataDir, problem, StringComparison.Ordinal);
        Assert.False((await _api.GetSlugAsync(slug.Id)).Uploaded);
        var digest = slug.Checksum["SHA256:".Length..];
        Assert.False(File.Exists(Path.Combine(Server.DataDir, "slugs", digest[..2], digest + ".tar.gz")));
        Assert.Empty(Directory.GetFiles(Path.Combine(Server.DataDir, "slugs", "incoming")));
        var release = await _api.PostReleaseAsync(app.Name, new { slug = slug.Id.ToString() });
        Assert.Contains("has no content yet", await SlipwayApi.ProblemAsync(release, HttpStatusCode.UnprocessableEntity));
        AssertNothingWritten(marker);
    }

    [Fact]
    public async Task Unpack_SlugWithSetuidSetgidAndStickyBits_LandsWithoutThem()
    {
        var app = await _api.CreateAppAsync();
        var bytes = Archives.Slug(
        [
            new ArchiveFile("suid", "#!/bin/sh\nid\n") { Mode = (UnixFileMode)0x96D },
            new ArchiveFile("sgid", "#!/bin/sh\nid\n") { Mode = (UnixFileMode)0x5ED },
            new ArchiveFile("tmp/") { Type = TarEntryType.Directory, Mode = (UnixFileMode)0x3FF },
        ]);
        var slug = await _api.UploadSlugAsync(app.Name, bytes, new Dictionary<string, string> { ["web"] = SlipwayApi.StaticWeb });

        using var unpacked = await Server.Services.GetRequiredService<SlugCache>().UnpackAsync(slug.Checksum["SHA256:".Length..], TestContext.Current.CancellationToken);
        var folder = unpacked.AppDir;

        const UnixFileMode special = UnixFileMode.SetUser | UnixFileMode.SetGroup | UnixFileMode.StickyBit;
        Assert.Equal((UnixFileMode)0x16D, File.GetUnixFileMode(Path.Combine(folder, "suid")));
        Assert.Equal((UnixFileMode)0x16D, File.GetUnixFileMode(Path.Combine(folder, "sgid")));
        Assert.Equal((UnixFileMode)0x16D, File.GetUnixFileMode(Path.Combine(folder, "tmp")));
        Assert.All(Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories), f => Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(f) & special));
    }

    [Fact]
    public async Task Unpack_HostileSlugStoredBeforeTheChecks_IsRefusedWithTheReason()
    {
        var bytes = Archives.Slug([new ArchiveFile("index.html", "hi"), ArchiveFile.Symlink("x/l2", "."), ArchiveFile.Symlink("x/l1", "l2/../../..")]);
        var digest = Archives.Checksum(bytes)["SHA256:".Length..];

        // As a slug kept by a Slipway that did not check slugs when they were stored.
        var stored = Path.Combine(Server.DataDir, "slugs", digest[..2], digest + ".tar.gz");
        Directory.CreateDirectory(Path.GetDirectoryName(stored)!);
        await File.WriteAllBytesAsync(stored, bytes, TestContext.Current.CancellationToken);

        var refused = await Assert.ThrowsAsync<SlugUnpackException>(() => Server.Services.GetRequiredService<SlugCache>().UnpackAsync(digest, TestContext.Current.CancellationToken));

        Assert.Equal("Symlink 'app/x/l1' points outside the slug's folder ('l2/../../..').", refused.Message);
        Assert.False(Directory.Exists(Path.Combine(Server.DataDir, "runtime", "slugs", digest)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Server.DataDir, "runtime", "slugs", ".incoming")));
    }

    [Fact]
    public async Task Build_BuildpackThatLeavesALinkOutside_FailsWithoutASlug()
    {
        var app = (await _api.CreateAppAsync()).Name;
        var buildpack = Server.WriteBuildpack(new Dictionary<string, string> { ["compile"] = "ln -s /etc \"$1/etc\"" });
        await _api.SetConfigAsync(app, new Dictionary<string, string> { ["BUILDPACK_URL"] = buildpack });

        var (build, output) = await _api.BuildAsync(app, archives.Serve(ProcfileApp), timeout: Bound);

        Assert.Equal("failed", build.Status);
        Assert.Equal("The slug is refused: Symlink 'app/etc' points to an absolute path ('/etc'), outside the slug's folder.", build.FailureReason);
        Assert.Contains(" !     " + build.FailureReason, output);
        Assert.Null(build.Slug);
        Assert.Null(build.Release);
        Server.AssertNoBuildLeftovers();
    }

    [Fact]
    public async Task Build_HostileArchives_DoNotHoldTheQueueFromAnotherBuild()
    {
        var hostile = new[]
        {
            HostileSource("pax-path-200k", SlipwayApi.Unique()).Bytes,
            HostileSource("gnu-long-name-1gib", SlipwayApi.Unique()).Bytes,
            HostileSource("bomb", SlipwayApi.Unique()).Bytes,
        };
        var started = new List<BuildResponse>();
        foreach (var bytes in hostile)
        {
            started.Add(await _api.StartBuildAsync((await _api.CreateAppAsync()).Name, archives.Serve(bytes)));
        }

        var good = await _api.StartBuildAsync((await _api.CreateAppAsync()).Name, archives.Serve(ProcfileApp));

        var ended = await Task.WhenAll(started.Select(b => _api.WaitForBuildAsync(b, Bound)));
        var (built, output) = await _api.WaitForBuildAsync(good, Bound);
        Assert.All(ended, e => Assert.Equal("failed", e.Build.Status));
        Assert.True(built.Status == "succeeded", output);
    }

    private static (byte[] Bytes, string Expected) HostileSource(string scenario, string marker) => scenario switch
    {
        "zip-slip" => (Archives.Zip([new ArchiveFile("ok.txt", "ok"), new ArchiveFile($"../../{marker}", "pwned")]), $"Entry '../../{marker}' escapes the build folder"),
        "tar-dotdot" => (Archives.TarGz([new ArchiveFile("app/ok.txt", "ok"), new ArchiveFile($"app/../../{marker}", "pwned")]), $"Entry 'app/../../{marker}' escapes the build folder"),
        "absolute-path" => (Archives.TarGz([new ArchiveFile($"/tmp/{marker}", "pwned")]), $"Entry '/tmp/{marker}' has an absolute path"),
        "symlink-escape" => (Archives.TarGz([ArchiveFile.Symlink("out", "../../../../.."), new ArchiveFile("Procfile", "web: cat out/etc/passwd")]), "Symlink 'out' points outside the build folder"),
        "symlink-chain" => (Archives.TarGz([new ArchiveFile("Procfile", "web: cat x/l1/etc/passwd"), ArchiveFile.Symlink("x/l2", "."), ArchiveFile.Symlink("x/l1", "l2/../../..")]),
            "Symlink 'x/l1' points outside the build folder ('l2/../../..')"),
        "link-then-file" => (Archives.TarGz([ArchiveFile.Symlink("d", "sub"), new ArchiveFile($"d/{marker}", "pwned")]), $"Entry 'd/{marker}' lies inside symlink 'd'"),
        "link-replaced-by-folder" => (Archives.TarGz([ArchiveFile.Symlink("d", "../../.."), ArchiveFile.Directory("d/"), new ArchiveFile($"d/{marker}", "pwned")]), "Entry 'd' is both a symlink and a folder"),
        "hardlink-escape" => (Archives.TarGz([ArchiveFile.HardLink("passwd", "../../../../etc/passwd")]), "Entry '../../../../etc/passwd' escapes the build folder"),
        "device" => (Archives.TarGz([new ArchiveFile("Procfile", "web: x"), new ArchiveFile("null") { Type = TarEntryType.CharacterDevice }]), "Entry 'null' is a character device"),
        "zip-fifo" => (Archives.Zip([new ArchiveFile("Procfile", "web: x"), new ArchiveFile("pipe") { Type = TarEntryType.Fifo }]), "Entry 'pipe' is a FIFO"),
        "pax-path-200k" => (Archives.TarGz([new ArchiveFile(string.Join('/', Enumerable.Repeat("a", 100_000)), "x")]), "has an extended (PAX) header of 200"),
        "gnu-long-name-1gib" => (Archives.Gzip(Archives.TarHeader("././@LongLink", 'L', 1L << 30), zeros: 1 << 20),
            "Entry '././@LongLink' has a long name of 1073741824 bytes; at most 65536 are read (Slipway:Archives:MaxHeaderBytes)"),
        "bomb" => (Archives.Gzip(Archives.TarHeader("zeros.bin", '0', 4L << 30), zeros: 8 << 20), "Entry 'zeros.bin' is 4294967296 bytes; the limit per file is 100000 (Slipway:Builds:MaxFileBytes)"),
        "too-deep" => (Archives.TarGz([new ArchiveFile(string.Concat(Enumerable.Repeat("d/", 130)) + marker, "x")]), "is 131 levels deep; at most 128 are allowed (Slipway:Archives:MaxDepth)"),
        "file-too-large" => (Archives.TarGz([new ArchiveFile("big.bin", new string('0', 150_000))]), "Entry 'big.bin' is 150000 bytes; the limit per file is 100000 (Slipway:Builds:MaxFileBytes)"),
        "unpacks-too-large" => (Archives.TarGz([.. Enumerable.Range(0, 3).Select(i => new ArchiveFile($"part{i}.bin", new string('0', 90_000)))]), "The archive unpacks to more than 200000 bytes (Slipway:Builds:MaxUnpackedBytes)"),
        "download-too-large" => (RandomBytes(1_200_000), "The source is 1200000 bytes; at most 1000000 are accepted (Slipway:Builds:MaxSourceBytes)"),
        "too-many-entries" => (Archives.TarGz([.. Enumerable.Range(0, 60).Select(i => new ArchiveFile($"f{i}.txt", "x"))]), "The archive has more than 50 entries (Slipway:Builds:MaxEntries)"),
        "truncated-tar-gz" => (Truncate(Archives.TarGz([new ArchiveFile("data.bin", Convert.ToBase64String(RandomBytes(60_000)))])), "The tar.gz archive is broken (truncated or corrupt)"),
        "truncated-zip" => (Truncate(Archives.Zip([new ArchiveFile("data.bin", Convert.ToBase64String(RandomBytes(60_000)))])), "The zip archive is broken (truncated or corrupt)"),
        "not-an-archive" => (Encoding.UTF8.GetBytes("<!DOCTYPE html><html><body>Not found</body></html>"), "The source is not an archive Slipway can unpack (an unknown format): use a .zip or a .tar.gz."),
        _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
    };

    /// <summary>Slugs as <see cref="Archives.Slug(IEnumerable{ArchiveFile})"/> writes them (under <c>./app/</c>), or raw where no writer would.</summary>
    private static (byte[] Bytes, string Expected) HostileSlug(string scenario, string marker) => scenario switch
    {
        "dotdot" => (Archives.Slug([new ArchiveFile($"../../{marker}", "pwned")]), $"Entry './app/../../{marker}' escapes the slug's folder ('..' is not allowed in a path)."),
        "absolute-path" => (Archives.TarGz([ArchiveFile.Directory("./app/"), new ArchiveFile($"/tmp/{marker}", "pwned")]), $"Entry '/tmp/{marker}' has an absolute path; every entry must stay inside the slug's folder."),
        "symlink-escape" => (Archives.Slug([new ArchiveFile("index.html", "hi"), ArchiveFile.Symlink("out", "../../../..")]), "Symlink 'app/out' points outside the slug's folder ('../../../..')."),
        "absolute-symlink" => (Archives.Slug([ArchiveFile.Symlink("etc", "/etc")]), "Symlink 'app/etc' points to an absolute path ('/etc'), outside the slug's folder."),
        "symlink-chain" => (Archives.Slug([new ArchiveFile("index.html", "hi"), ArchiveFile.Symlink("x/l2", "."), ArchiveFile.Symlink("x/l1", "l2/../../..")]),
            "Symlink 'app/x/l1' points outside the slug's folder ('l2/../../..')."),
        "link-then-file" => (Archives.Slug([ArchiveFile.Symlink("d", "sub"), new ArchiveFile($"d/{marker}", "pwned")]), $"Entry 'app/d/{marker}' lies inside symlink 'app/d'; an archive may not write through a link."),
        "link-replaced-by-folder" => (Archives.Slug([ArchiveFile.Symlink("d", "../../.."), ArchiveFile.Directory("d/"), new ArchiveFile($"d/{marker}", "pwned")]), "Entry 'app/d' is both a symlink and a folder"),
        "hardlink-escape" => (Archives.Slug([ArchiveFile.HardLink("passwd", "../../../../etc/passwd")]), "Entry '../../../../etc/passwd' escapes the slug's folder"),
        "device" => (Archives.Slug([new ArchiveFile("null") { Type = TarEntryType.CharacterDevice }]), "Entry './app/null' is a character device; an archive may hold only files, folders and links."),
        "fifo" => (Archives.Slug([new ArchiveFile("pipe") { Type = TarEntryType.Fifo }]), "Entry './app/pipe' is a FIFO; an archive may hold only files, folders and links."),
        "pax-path-200k" => (Archives.Slug([new ArchiveFile(string.Join('/', Enumerable.Repeat("a", 100_000)), "x")]), "has an extended (PAX) header of 200"),
        "gnu-long-name-1gib" => (Archives.Gzip(Archives.TarHeader("././@LongLink", 'L', 1L << 30), zeros: 1 << 20),
            "Entry '././@LongLink' has a long name of 1073741824 bytes; at most 65536 are read (Slipway:Archives:MaxHeaderBytes)."),
        "bomb" => (Archives.Gzip(Archives.TarHeader("./app/zeros.bin", '0', 4L << 30), zeros: 8 << 20), "Entry './app/zeros.bin' is 4294967296 bytes; the limit per file is 100000 (Slipway:Slugs:MaxFileBytes)."),
        "too-deep" => (Archives.Slug([new ArchiveFile(string.Concat(Enumerable.Repeat("d/", 130)) + marker, "x")]), "is 132 levels deep; at most 128 are allowed (Slipway:Archives:MaxDepth)."),
        "unpacks-too-large" => (Archives.Slug([.. Enumerable.Range(0, 3).Select(i => new ArchiveFile($"part{i}.bin", new string('0', 90_000)))]), "The archive unpacks to more than 200000 bytes (Slipway:Slugs:MaxUnpackedBytes)."),
        "too-many-entries" => (Archives.Slug([.. Enumerable.Range(0, 60).Select(i => new ArchiveFile($"f{i}.txt", "x"))]), "The archive has more than 50 entries (Slipway:Slugs:MaxEntries)."),
        "truncated" => (Truncate(Archives.Slug([new ArchiveFile("data.bin", Convert.ToBase64String(RandomBytes(60_000)))])), "The tar.gz archive is broken (truncated or corrupt)"),
        _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
    };

    private static byte[] Truncate(byte[] bytes) => bytes[..(bytes.Length / 2)];

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(count).NextBytes(bytes);
        return bytes;
    }

    /// <summary>No file named after the test's marker anywhere under the data folder or in the temporary folder.</summary>
    private void AssertNothingWritten(string marker)
    {
        Assert.Empty(Directory.EnumerateFileSystemEntries(Server.DataDir, $"*{marker}*", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), marker)));
    }
}
