using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using Slipway.Server.Builds;
using Slipway.Server.Unpacking;

namespace Slipway.Server.Tests.Builds;

/// <summary>What a build folder packs to: the slug's entries, and the slug unpacked again as a deploy does.</summary>
public sealed class SlugPackerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("slipway-pack-").FullName;

    private string BuildDir => Path.Combine(_root, "build");

    [Fact]
    public async Task PackAsync_FolderOwnedByAnAppUser_KeepsTreeModesAndLinksWithoutOwners()
    {
        Directory.CreateDirectory(Path.Combine(BuildDir, "bin"));
        Directory.CreateDirectory(Path.Combine(BuildDir, "lib"));
        Directory.CreateDirectory(Path.Combine(BuildDir, ".git"));
        File.WriteAllText(Path.Combine(BuildDir, "Procfile"), "web: bin/run");
        File.WriteAllText(Path.Combine(BuildDir, "bin", "run"), "#!/bin/sh\necho hi\n");
        File.SetUnixFileMode(Path.Combine(BuildDir, "bin", "run"), (UnixFileMode)0x1ED);
        File.WriteAllText(Path.Combine(BuildDir, "lib", "a.txt"), "a");
        File.WriteAllText(Path.Combine(BuildDir, "empty"), "");
        File.WriteAllText(Path.Combine(BuildDir, ".git", "HEAD"), "ref: refs/heads/main");
        File.CreateSymbolicLink(Path.Combine(BuildDir, "current"), "bin");
        if (Environment.IsPrivilegedProcess)
        {
            // As after bin/compile in a sandbox: the folder belongs to a uid the server has no name for.
            await RunAsync("chown", "-R", "-h", "61234:61234", BuildDir);
        }

        var target = Path.Combine(_root, "slug.tgz");
        var packed = await SlugPacker.PackAsync(BuildDir, target, CancellationToken.None);

        Assert.Equal(new FileInfo(target).Length, packed.Size);
        var entries = await ReadAsync(target);
        Assert.Equal(
            ["./app/", "./app/Procfile", "./app/bin/", "./app/bin/run", "./app/current", "./app/empty", "./app/lib/", "./app/lib/a.txt"],
            entries.Select(e => e.Name));
        var run = entries.Single(e => e.Name == "./app/bin/run");
        Assert.Equal(TarEntryType.RegularFile, run.Type);
        Assert.Equal((UnixFileMode)0x1ED, run.Mode);
        Assert.Equal("#!/bin/sh\necho hi\n", run.Content);
        var link = entries.Single(e => e.Name == "./app/current");
        Assert.Equal((TarEntryType.SymbolicLink, "bin"), (link.Type, link.LinkName));
        Assert.Equal(TarEntryType.RegularFile, entries.Single(e => e.Name == "./app/empty").Type);
        Assert.All(entries.Where(e => e.Name != "./app/empty"), e => Assert.Equal((0, ""), (e.Uid, e.UserName)));

        // The deploy's side of the slug: it unpacks, with the executable still executable.
        var app = Path.Combine(_root, "unpacked");
        ArchiveExtractor.Extract(target, app, ArchiveRules.ForSlugs(new SlipwayOptions()), CancellationToken.None);
        Assert.Equal("web: bin/run", File.ReadAllText(Path.Combine(app, "app", "Procfile")));
        Assert.True(File.GetUnixFileMode(Path.Combine(app, "app", "bin", "run")).HasFlag(UnixFileMode.UserExecute));
        Assert.Equal("bin", new FileInfo(Path.Combine(app, "app", "current")).LinkTarget);
        Assert.False(Directory.Exists(Path.Combine(app, "app", ".git")));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private sealed record Entry(string Name, TarEntryType Type, UnixFileMode Mode, string? LinkName, int Uid, string UserName, string? Content);

    private static async Task<List<Entry>> ReadAsync(string slug)
    {
        await using var file = File.OpenRead(slug);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        await using var reader = new TarReader(gzip);
        List<Entry> entries = [];
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            var content = entry.DataStream is { } data ? await new StreamReader(data).ReadToEndAsync() : null;
            entries.Add(new Entry(entry.Name, entry.EntryType, entry.Mode, entry.EntryType == TarEntryType.SymbolicLink ? entry.LinkName : null, entry.Uid, ((PosixTarEntry)entry).UserName, content));
        }

        return entries;
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true })!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} failed: {error}");
    }
}
