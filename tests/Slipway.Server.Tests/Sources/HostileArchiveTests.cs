using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Slipway.Server.Data;
using Slipway.Server.Tests.Builds;

namespace Slipway.Server.Tests.Sources;

/// <summary>
/// The hostile-archive catalogue, each served over HTTP and built through the API: every one
/// fails the build with a clear reason, writes nothing outside (or inside) the build folder,
/// and leaves the workspace and incoming folders empty, with no slug and no release.
/// </summary>
public sealed class HostileArchiveTests(SmallLimitsServerFixture fixture, ArchiveServer archives) : IClassFixture<SmallLimitsServerFixture>, IClassFixture<ArchiveServer>
{
    private readonly SlipwayApi _api = fixture.Api;

    private SlipwayTestServer Server => fixture.Server;

    [Theory]
    [InlineData("zip-slip")]
    [InlineData("tar-dotdot")]
    [InlineData("absolute-path")]
    [InlineData("symlink-escape")]
    [InlineData("hardlink-escape")]
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
        var (bytes, expected) = Hostile(scenario, marker);
        var app = await _api.CreateAppAsync();

        var (build, output) = await _api.BuildAsync(app.Name, archives.Serve(bytes, scenario.Contains("zip", StringComparison.Ordinal) ? "source.zip" : "source.tar.gz"));

        Assert.Equal("failed", build.Status);
        Assert.Contains(expected, build.FailureReason);
        Assert.Contains(" !     " + build.FailureReason, output);
        Assert.Null(build.Slug);
        Assert.Null(build.Release);
        Assert.Empty(await _api.ListReleasesAsync(app.Name));
        await using (var scope = Server.Services.CreateAsyncScope())
        {
            Assert.False(await scope.ServiceProvider.GetRequiredService<SlipwayDb>().Slugs.AnyAsync(s => s.AppId == app.Id));
        }

        Server.AssertNoBuildLeftovers();
        Assert.Empty(Directory.EnumerateFileSystemEntries(Server.DataDir, $"*{marker}*", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), marker)));
    }

    private static (byte[] Bytes, string Expected) Hostile(string scenario, string marker) => scenario switch
    {
        "zip-slip" => (Archives.Zip([new ArchiveFile("ok.txt", "ok"), new ArchiveFile($"../../{marker}", "pwned")]), $"Entry '../../{marker}' escapes the build folder"),
        "tar-dotdot" => (Archives.TarGz([new ArchiveFile("app/ok.txt", "ok"), new ArchiveFile($"app/../../{marker}", "pwned")]), $"Entry 'app/../../{marker}' escapes the build folder"),
        "absolute-path" => (Archives.TarGz([new ArchiveFile($"/tmp/{marker}", "pwned")]), $"Entry '/tmp/{marker}' has an absolute path"),
        "symlink-escape" => (Archives.TarGz([ArchiveFile.Symlink("out", "../../../../.."), new ArchiveFile("Procfile", "web: cat out/etc/passwd")]), "Symlink 'out' points outside the build folder"),
        "hardlink-escape" => (Archives.TarGz([ArchiveFile.HardLink("passwd", "../../../../etc/passwd")]), "Entry '../../../../etc/passwd' escapes the build folder"),
        "file-too-large" => (Archives.TarGz([new ArchiveFile("big.bin", new string('0', 150_000))]), "Entry 'big.bin' is 150000 bytes; the limit per file is 100000 (Slipway:Builds:MaxFileBytes)"),
        "unpacks-too-large" => (Archives.TarGz([.. Enumerable.Range(0, 3).Select(i => new ArchiveFile($"part{i}.bin", new string('0', 90_000)))]), "The archive unpacks to more than 200000 bytes (Slipway:Builds:MaxUnpackedBytes)"),
        "download-too-large" => (RandomBytes(1_200_000), "The source is 1200000 bytes; at most 1000000 are accepted (Slipway:Builds:MaxSourceBytes)"),
        "too-many-entries" => (Archives.TarGz([.. Enumerable.Range(0, 60).Select(i => new ArchiveFile($"f{i}.txt", "x"))]), "The archive has more than 50 entries (Slipway:Builds:MaxEntries)"),
        "truncated-tar-gz" => (Truncate(Archives.TarGz([new ArchiveFile("data.bin", Convert.ToBase64String(RandomBytes(60_000)))])), "The tar.gz archive is broken (truncated or corrupt)"),
        "truncated-zip" => (Truncate(Archives.Zip([new ArchiveFile("data.bin", Convert.ToBase64String(RandomBytes(60_000)))])), "The zip archive is broken (truncated or corrupt)"),
        "not-an-archive" => (Encoding.UTF8.GetBytes("<!DOCTYPE html><html><body>Not found</body></html>"), "The source is not an archive Slipway can unpack (starts with 3c21444f43545950): use a .zip or a .tar.gz."),
        _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
    };

    private static byte[] Truncate(byte[] bytes) => bytes[..(bytes.Length / 2)];

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(count).NextBytes(bytes);
        return bytes;
    }
}
