using System.Formats.Tar;
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
            await TestTools.RunAsync("chown", ["-R", "-h", "61234:61234", BuildDir]);
        }

        var target = Path.Combine(_root, "slug.tgz");
        var packed = await SlugPacker.PackAsync(BuildDir, target, CancellationToken.None);

        Assert.Equal(new FileInfo(target).Length, packed.Size);
        List<KeyValuePair<string, SlugEntry>> entries;
        await using (var slug = File.OpenRead(target))
        {
            entries = await BuildServerExtensions.SlugEntriesOfAsync(slug);
        }

        Assert.Equal(
            ["./app/", "./app/Procfile", "./app/bin/", "./app/bin/run", "./app/current", "./app/empty", "./app/lib/", "./app/lib/a.txt"],
            entries.Select(e => e.Key));
        var byName = entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        var run = byName["./app/bin/run"];
        Assert.Equal(TarEntryType.RegularFile, run.Type);
        Assert.Equal((UnixFileMode)0x1ED, run.Mode);
        Assert.Equal("#!/bin/sh\necho hi\n", run.Text);
        Assert.Equal((TarEntryType.SymbolicLink, "bin"), (byName["./app/current"].Type, byName["./app/current"].LinkTarget));
        Assert.Equal(TarEntryType.RegularFile, byName["./app/empty"].Type);
        Assert.All(entries.Where(e => e.Key != "./app/empty"), e => Assert.Equal((0, ""), (e.Value.Uid, e.Value.UserName)));

        // The deploy's side of the slug: it unpacks, with the executable still executable.
        var app = Path.Combine(_root, "unpacked");
        ArchiveExtractor.Extract(target, app, ArchiveRules.ForSlugs(new SlipwayOptions()), CancellationToken.None);
        Assert.Equal("web: bin/run", File.ReadAllText(Path.Combine(app, "app", "Procfile")));
        Assert.True(File.GetUnixFileMode(Path.Combine(app, "app", "bin", "run")).HasFlag(UnixFileMode.UserExecute));
        Assert.Equal("bin", new FileInfo(Path.Combine(app, "app", "current")).LinkTarget);
        Assert.False(Directory.Exists(Path.Combine(app, "app", ".git")));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
