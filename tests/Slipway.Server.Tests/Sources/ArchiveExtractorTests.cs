using System.Formats.Tar;
using System.Text;
using Slipway.Server.Sources;

namespace Slipway.Server.Tests.Sources;

public sealed class ArchiveExtractorTests : IDisposable
{
    private static readonly ArchiveLimits Limits = new(MaxUnpackedBytes: 1 << 20, MaxFileBytes: 1 << 19, MaxEntries: 100);

    private readonly string _root = Directory.CreateTempSubdirectory("slipway-extract-").FullName;

    private string Destination => Path.Combine(_root, "out");

    [Fact]
    public void Extract_TarGzWithOneTopFolder_StripsItAndKeepsModes()
    {
        var archive = Write(Archives.TarGz([new ArchiveFile("Procfile", "web: ./run"), new ArchiveFile("run", "#!/bin/sh", Executable: true), new ArchiveFile("lib/a.txt", "a")], folder: "myapp-0123abc"));

        var unpacked = ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None);

        Assert.Equal(ArchiveKind.TarGz, unpacked.Kind);
        Assert.Equal("myapp-0123abc", unpacked.StrippedFolder);
        Assert.Equal(3, unpacked.Files);
        Assert.Equal("web: ./run", File.ReadAllText(Path.Combine(Destination, "Procfile")));
        Assert.Equal("a", File.ReadAllText(Path.Combine(Destination, "lib", "a.txt")));
        Assert.True(File.GetUnixFileMode(Path.Combine(Destination, "run")).HasFlag(UnixFileMode.UserExecute));
        Assert.False(File.GetUnixFileMode(Path.Combine(Destination, "Procfile")).HasFlag(UnixFileMode.UserExecute));
    }

    [Fact]
    public void Extract_ZipNamedTarGz_IsToldByContent()
    {
        var archive = Write(Archives.Zip([new ArchiveFile("index.js", "1"), new ArchiveFile("bin/tool", "#!/bin/sh", Executable: true)]), "source.tar.gz");

        var unpacked = ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None);

        Assert.Equal(ArchiveKind.Zip, unpacked.Kind);
        Assert.Null(unpacked.StrippedFolder);
        Assert.Equal("1", File.ReadAllText(Path.Combine(Destination, "index.js")));
        Assert.True(File.GetUnixFileMode(Path.Combine(Destination, "bin", "tool")).HasFlag(UnixFileMode.UserExecute));
    }

    [Fact]
    public void Extract_SingleFileAtRoot_IsNotStripped()
    {
        var archive = Write(Archives.TarGz([new ArchiveFile("app.py", "print(1)")]));

        var unpacked = ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None);

        Assert.Null(unpacked.StrippedFolder);
        Assert.True(File.Exists(Path.Combine(Destination, "app.py")));
    }

    [Fact]
    public void Extract_PlainTarWithLinksInside_KeepsSymlinksAndCopiesHardLinks()
    {
        var archive = Write(Archives.Tar(
        [
            new ArchiveFile("lib/real.txt", "real"),
            ArchiveFile.Symlink("current", "lib/real.txt"),
            ArchiveFile.Symlink("lib/up", "../lib/real.txt"),
            ArchiveFile.HardLink("copy.txt", "lib/real.txt"),
        ]));

        var unpacked = ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None);

        Assert.Equal(ArchiveKind.Tar, unpacked.Kind);
        Assert.Equal("lib/real.txt", new FileInfo(Path.Combine(Destination, "current")).LinkTarget);
        Assert.Equal("real", File.ReadAllText(Path.Combine(Destination, "lib", "up")));
        Assert.Null(new FileInfo(Path.Combine(Destination, "copy.txt")).LinkTarget);
        Assert.Equal("real", File.ReadAllText(Path.Combine(Destination, "copy.txt")));
    }

    [Fact]
    public void Extract_LinkThroughLinkToRoot_IsRejected()
    {
        // "b/.." looks like the root on paper, but b is the root itself, so it is the root's parent.
        var archive = Write(Archives.TarGz([new ArchiveFile("x", "x"), ArchiveFile.Symlink("b", "."), ArchiveFile.Symlink("a", "b/..")]));

        var e = Assert.Throws<ArchiveRejectedException>(() => ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None));

        Assert.Contains("Symlink 'a' points outside the build folder", e.Message);
        Assert.False(Directory.Exists(Destination));
    }

    [Fact]
    public void Extract_FileInsideSymlinkedFolder_IsRejected()
    {
        var archive = Write(Archives.TarGz([ArchiveFile.Symlink("lib", "src"), new ArchiveFile("lib/evil.txt", "x")]));

        var e = Assert.Throws<ArchiveRejectedException>(() => ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None));

        Assert.Contains("inside symlink 'lib'", e.Message);
        Assert.False(Directory.Exists(Destination));
    }

    [Fact]
    public void Extract_ZipSymlinkOutside_IsRejected()
    {
        var archive = Write(Archives.Zip([ArchiveFile.Symlink("passwd", "../../../../etc/passwd")]));

        var e = Assert.Throws<ArchiveRejectedException>(() => ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None));

        Assert.Contains("Symlink 'passwd' points outside the build folder", e.Message);
    }

    [Fact]
    public void Extract_ZipThatLiesAboutItsSize_IsRejectedAndCleanedUp()
    {
        var bytes = Archives.Zip([new ArchiveFile("a.txt", new string('a', 1000))]);
        PatchZipSizes(bytes, "a.txt", 10);
        var archive = Write(bytes);

        var e = Assert.Throws<ArchiveRejectedException>(() => ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None));

        Assert.Contains("Entry 'a.txt' is corrupt", e.Message);
        Assert.False(Directory.Exists(Destination));
    }

    [Fact]
    public void Extract_DeviceFile_IsRejected()
    {
        var archive = Write(Archives.TarGz([new ArchiveFile("null") { Type = TarEntryType.CharacterDevice }]));

        var e = Assert.Throws<ArchiveRejectedException>(() => ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None));

        Assert.Contains("character device", e.Message);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Write(byte[] bytes, string name = "source")
    {
        var path = Path.Combine(_root, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Rewrites the uncompressed size of an entry in its local header and the central directory.</summary>
    private static void PatchZipSizes(byte[] zip, string name, int size)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        for (var i = 0; i + 4 < zip.Length; i++)
        {
            if (zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == 3 && zip[i + 3] == 4 && zip.AsSpan(i + 30, nameBytes.Length).SequenceEqual(nameBytes))
            {
                BitConverter.TryWriteBytes(zip.AsSpan(i + 22, 4), size);
            }

            if (zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == 1 && zip[i + 3] == 2 && zip.AsSpan(i + 46, nameBytes.Length).SequenceEqual(nameBytes))
            {
                BitConverter.TryWriteBytes(zip.AsSpan(i + 24, 4), size);
            }
        }
    }
}
