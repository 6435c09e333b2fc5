using System.Diagnostics;
using System.Formats.Tar;
using System.Text;
using Slipway.Server.Unpacking;

namespace Slipway.Server.Tests.Unpacking;

/// <summary>
/// The archive reader itself, on sources and slugs alike: what it unpacks, and the catalogue of
/// hostile archives, each refused with the entry named, in bounded memory, leaving nothing on disk.
/// The class runs alone (<see cref="ArchiveMemory"/>) so that the process's memory it measures is its own.
/// </summary>
[Collection(nameof(ArchiveMemory))]
public sealed class ArchiveExtractorTests : IDisposable
{
    private const long MiB = 1 << 20;

    private static readonly ArchiveRules Limits = new(new ArchiveOptions(), MaxUnpackedBytes: 1 << 20, MaxFileBytes: 1 << 19, MaxEntries: 100, "Slipway:Builds", "the build folder", StripTopFolder: true, ReadOnly: false);

    /// <summary>Limits high enough that only the rule a test is about can refuse a large archive.</summary>
    private static readonly ArchiveRules Roomy = Limits with { MaxUnpackedBytes = 8L << 30, MaxFileBytes = 8L << 30 };

    private static readonly ArchiveRules SlugLimits = ArchiveRules.ForSlugs(new SlipwayOptions());

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
    public void Extract_ChainsOfLinksThatStayInside_AreKept()
    {
        var archive = Write(Archives.TarGz(
        [
            new ArchiveFile("releases/v2/app.txt", "v2"),
            ArchiveFile.Symlink("current", "releases/v2"),
            ArchiveFile.Symlink("bin/app", "../current/app.txt"),
            ArchiveFile.Symlink("bin/up", "../current/../v2/../../current"),
            ArchiveFile.Symlink("dangling", "not/there/../../releases"),
        ]));

        ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None);

        Assert.Equal("v2", File.ReadAllText(Path.Combine(Destination, "bin", "app")));
        Assert.Equal("../current/app.txt", new FileInfo(Path.Combine(Destination, "bin", "app")).LinkTarget);
        Assert.True(Directory.Exists(Path.Combine(Destination, "bin", "up")));
    }

    [Fact]
    public void Extract_TarGzIntoAnEmptyFolderFromAStreamThatCannotSeek_WritesASlugReadOnly()
    {
        var bytes = Archives.Slug([new ArchiveFile("app.py", "print(1)"), new ArchiveFile("bin/run", "#!/bin/sh", Executable: true), ArchiveFile.Symlink("run", "bin/run")]);
        Directory.CreateDirectory(Destination);

        using (var stream = new OneWay(new MemoryStream(bytes)))
        {
            ArchiveExtractor.Extract(stream, Destination, SlugLimits, CancellationToken.None);
        }

        var app = Path.Combine(Destination, "app");
        Assert.Equal("print(1)", File.ReadAllText(Path.Combine(app, "app.py")));
        Assert.Equal("bin/run", new FileInfo(Path.Combine(app, "run")).LinkTarget);
        Assert.Equal((UnixFileMode)0x124, File.GetUnixFileMode(Path.Combine(app, "app.py")));
        Assert.Equal((UnixFileMode)0x16D, File.GetUnixFileMode(Path.Combine(app, "bin", "run")));
        Assert.Equal((UnixFileMode)0x16D, File.GetUnixFileMode(Path.Combine(app, "bin")));
    }

    [Fact]
    public void Extract_SetuidSetgidAndStickyBits_LandWithoutThem()
    {
        var archive = Write(Archives.TarGz(
        [
            new ArchiveFile("suid", "#!/bin/sh") { Mode = (UnixFileMode)0x96D },
            new ArchiveFile("sgid", "#!/bin/sh") { Mode = (UnixFileMode)0x5ED },
            new ArchiveFile("shared/") { Type = TarEntryType.Directory, Mode = (UnixFileMode)0x3FF },
            ArchiveFile.HardLink("suid-copy", "suid") with { Mode = (UnixFileMode)0x96D },
        ]));

        ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None);

        Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(Path.Combine(Destination, "suid")));
        Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(Path.Combine(Destination, "sgid")));
        Assert.Equal((UnixFileMode)0x1FF, File.GetUnixFileMode(Path.Combine(Destination, "shared")));
        Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(Path.Combine(Destination, "suid-copy")));
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
    public void Extract_LinkThroughALinkThatComesLater_IsRejected()
    {
        // When a arrives, b is not a link yet and "b/.." is the root: links are judged once all are known.
        var archive = Write(Archives.TarGz([new ArchiveFile("x", "x"), ArchiveFile.Symlink("a", "b/.."), ArchiveFile.Symlink("b", ".")]));

        var e = Assert.Throws<ArchiveRejectedException>(() => ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None));

        Assert.Contains("Symlink 'a' points outside the build folder ('b/..')", e.Message);
        Assert.False(Directory.Exists(Destination));
    }

    [Fact]
    public void Extract_ChainedLinksThatLeaveOnlyOnDisk_AreRejected()
    {
        // On paper x/l2/../../.. is the root; on disk l2 is x itself, so it is two levels above it.
        var archive = Write(Archives.TarGz([new ArchiveFile("f", "f"), ArchiveFile.Symlink("x/l2", "."), ArchiveFile.Symlink("x/l1", "l2/../../.."), new ArchiveFile("x/g", "g")]));

        var e = Assert.Throws<ArchiveRejectedException>(() => ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None));

        Assert.Contains("Symlink 'x/l1' points outside the build folder ('l2/../../..')", e.Message);
        Assert.False(Directory.Exists(Destination));
    }

    [Fact]
    public void Extract_LinkInsideTheTopFolderThatLeavesIt_IsRejectedOnceTheFolderIsStripped()
    {
        // Inside "top/", "../other" is still in the archive; once top is the build folder, it is outside.
        var archive = Write(Archives.TarGz([new ArchiveFile("a.txt", "a"), ArchiveFile.Symlink("up", "../other")], folder: "top"));

        var e = Assert.Throws<ArchiveRejectedException>(() => ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None));

        Assert.Contains("Symlink 'top/up' points outside the build folder ('../other')", e.Message);
        Assert.False(Directory.Exists(Destination));
    }

    [Fact]
    public void Extract_LoopOfLinks_IsRejected()
    {
        var archive = Write(Archives.TarGz([ArchiveFile.Symlink("a", "b/x"), ArchiveFile.Symlink("b", "a/y")]));

        var e = Assert.Throws<ArchiveRejectedException>(() => ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None));

        Assert.Contains("is part of a loop of links", e.Message);
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
    public void Extract_LinkReplacedByAFolderThenAFileInIt_IsRejected()
    {
        var marker = "evil-" + SlipwayApi.Unique();
        var archive = Write(Archives.TarGz([ArchiveFile.Symlink("d", "../.."), ArchiveFile.Directory("d/"), new ArchiveFile($"d/{marker}", "x")]));

        var e = Assert.Throws<ArchiveRejectedException>(() => ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None));

        Assert.Contains("Entry 'd' is both a symlink and a folder", e.Message);
        Assert.False(Directory.Exists(Destination));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(_root)!, $"*{marker}*"));
    }

    [Fact]
    public void Extract_HardLinkThroughASymlink_IsRejected()
    {
        var archive = Write(Archives.Tar([new ArchiveFile("real/f", "f"), ArchiveFile.Symlink("alias", "real"), ArchiveFile.HardLink("copy", "alias/f")]));

        var e = Assert.Throws<ArchiveRejectedException>(() => ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None));

        Assert.Contains("Hard link 'copy' points through symlink 'alias'", e.Message);
    }

    [Fact]
    public void Extract_ZipSymlinkOutside_IsRejected()
    {
        var archive = Write(Archives.Zip([ArchiveFile.Symlink("passwd", "../../../../etc/passwd")]));

        var e = Assert.Throws<ArchiveRejectedException>(() => ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None));

        Assert.Contains("Symlink 'passwd' points outside the build folder", e.Message);
    }

    [Fact]
    public void Extract_ZipSlipWithBackslashes_IsRejected()
    {
        var archive = Write(Archives.Zip([new ArchiveFile("ok.txt", "ok"), new ArchiveFile("..\\..\\evil.txt", "x")]));

        var e = Assert.Throws<ArchiveRejectedException>(() => ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None));

        Assert.Contains("Entry '..\\..\\evil.txt' escapes the build folder", e.Message);
        Assert.False(Directory.Exists(Destination));
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

    [Theory]
    [InlineData(TarEntryType.CharacterDevice, "character device")]
    [InlineData(TarEntryType.BlockDevice, "block device")]
    [InlineData(TarEntryType.Fifo, "FIFO")]
    public void Extract_DeviceOrFifo_IsRejected(TarEntryType type, string what)
    {
        var archive = Write(Archives.TarGz([new ArchiveFile("ok.txt", "ok"), new ArchiveFile("dev/thing") { Type = type }]));

        var e = Assert.Throws<ArchiveRejectedException>(() => ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None));

        Assert.Equal($"Entry 'dev/thing' is a {what}; an archive may hold only files, folders and links.", e.Message);
        Assert.False(Directory.Exists(Destination));
    }

    [Theory]
    [InlineData(TarEntryType.CharacterDevice, "character device")]
    [InlineData(TarEntryType.Fifo, "FIFO")]
    public void Extract_ZipDeviceOrFifo_IsRejected(TarEntryType type, string what)
    {
        var archive = Write(Archives.Zip([new ArchiveFile("ok.txt", "ok"), new ArchiveFile("thing") { Type = type }]));

        var e = Assert.Throws<ArchiveRejectedException>(() => ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None));

        Assert.Contains($"Entry 'thing' is a {what}", e.Message);
    }

    [Fact]
    public void Extract_PaxPathOf200KB_IsRefusedBeforeItIsRead()
    {
        var archive = Write(Archives.TarGz([new ArchiveFile(string.Join('/', Enumerable.Repeat("a", 100_000)), "x")]));

        var (e, allocated) = Measure(() => ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None));

        Assert.Matches("has an extended \\(PAX\\) header of 200\\d{3} bytes; at most 65536 are read \\(Slipway:Archives:MaxHeaderBytes\\)", e.Message);
        Assert.True(allocated < 2 * MiB, $"{allocated} bytes allocated");
        Assert.False(Directory.Exists(Destination));
    }

    [Fact]
    public void Extract_PathLongerThan4096Bytes_IsRefused()
    {
        var archive = Write(Archives.TarGz([new ArchiveFile(string.Join('/', Enumerable.Repeat("abcd", 1200)), "x")]));

        var e = Assert.Throws<ArchiveRejectedException>(() => ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None));

        Assert.Contains("has a name of 5999 bytes; at most 4096 are allowed (Slipway:Archives:MaxPathLength)", e.Message);
        Assert.EndsWith("…' has a name of 5999 bytes; at most 4096 are allowed (Slipway:Archives:MaxPathLength).", e.Message);
    }

    [Fact]
    public void Extract_PathDeeperThanTheLimit_IsRefused()
    {
        var archive = Write(Archives.TarGz([new ArchiveFile(string.Concat(Enumerable.Repeat("d/", 130)) + "f", "x")]));

        var e = Assert.Throws<ArchiveRejectedException>(() => ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None));

        Assert.Contains("is 131 levels deep; at most 128 are allowed (Slipway:Archives:MaxDepth)", e.Message);
    }

    [Fact]
    public void Extract_GnuLongNameClaiming1GiB_IsRefusedWithoutTheMemory()
    {
        var archive = Write([.. Archives.TarHeader("././@LongLink", 'L', 1L << 30), .. new byte[1 << 20]]);
        using var process = Process.GetCurrentProcess();
        var peak = process.PeakWorkingSet64;

        var (e, allocated) = Measure(() => ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None));

        process.Refresh();
        Assert.Equal("Entry '././@LongLink' has a long name of 1073741824 bytes; at most 65536 are read (Slipway:Archives:MaxHeaderBytes).", e.Message);
        Assert.True(allocated < 100 * MiB, $"{allocated} bytes allocated");
        Assert.True(process.PeakWorkingSet64 - peak < 100 * MiB, $"peak working set grew by {process.PeakWorkingSet64 - peak} bytes");
        Assert.False(Directory.Exists(Destination));
    }

    [Fact]
    public void Extract_DecompressionBomb_IsRefusedByItsRatioInBoundedMemory()
    {
        // 4 GiB declared, 64 MiB of zeros behind it: about 64 KiB of gzip.
        var archive = Write(Archives.Gzip(Archives.TarHeader("zeros.bin", '0', 4L << 30), zeros: 64 * MiB));

        var (e, allocated) = Measure(() => ArchiveExtractor.Extract(archive, Destination, Roomy, CancellationToken.None));

        Assert.StartsWith("The archive unpacks to more than 200 times its compressed size", e.Message);
        Assert.Contains("(Slipway:Archives:MaxCompressionRatio)", e.Message);
        Assert.True(allocated < 10 * MiB, $"{allocated} bytes allocated");
        Assert.False(Directory.Exists(Destination));
    }

    [Fact]
    public void Extract_FileDeclaringMoreThanTheLimit_IsRefusedAtItsHeader()
    {
        var archive = Write(Archives.Gzip(Archives.TarHeader("huge.bin", '0', 4L << 30)));

        var e = Assert.Throws<ArchiveRejectedException>(() => ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None));

        Assert.Equal("Entry 'huge.bin' is 4294967296 bytes; the limit per file is 524288 (Slipway:Builds:MaxFileBytes).", e.Message);
    }

    [Fact]
    public void Extract_TooManyEntries_IsRefusedCountingTheFoldersTheyImply()
    {
        var archive = Write(Archives.Zip([.. Enumerable.Range(0, 60).Select(i => new ArchiveFile($"d{i}/f", "x"))]));

        var e = Assert.Throws<ArchiveRejectedException>(() => ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None));

        Assert.Equal("The archive has more than 100 entries (Slipway:Builds:MaxEntries).", e.Message);
        Assert.False(Directory.Exists(Destination));
    }

    [Fact]
    public void Extract_ZipClaimingMoreEntriesThanAllowed_IsRefusedBeforeItsDirectoryIsRead()
    {
        var archive = Write(Archives.Zip([.. Enumerable.Range(0, 101).Select(i => new ArchiveFile($"f{i}", "x"))]));

        var (e, allocated) = Measure(() => ArchiveExtractor.Extract(archive, Destination, Limits, CancellationToken.None));

        Assert.Equal("The archive has more than 100 entries (Slipway:Builds:MaxEntries).", e.Message);
        Assert.True(allocated < MiB, $"{allocated} bytes allocated");
    }

    [Fact]
    public void Extract_NamesTakingMoreThanTheLimit_AreRefused()
    {
        var rules = Limits with { Shared = new ArchiveOptions { MaxNameBytes = 4096 } };
        var archive = Write(Archives.TarGz([.. Enumerable.Range(0, 20).Select(i => ArchiveFile.Symlink($"link{i}", new string('t', 250)))]));

        var e = Assert.Throws<ArchiveRejectedException>(() => ArchiveExtractor.Extract(archive, Destination, rules, CancellationToken.None));

        Assert.Equal("The archive's names take more than 4096 bytes (Slipway:Archives:MaxNameBytes).", e.Message);
    }

    [Fact]
    public void Extract_CancelledWhileReadingAHugeEntry_StopsWithinASecondLeavingNothing()
    {
        const long claimed = 256 * MiB;
        using var source = new EndlessEntry(Archives.TarHeader("huge.bin", '0', claimed), signalAfter: MiB);
        using var cancel = new CancellationTokenSource();
        var extract = Task.Run(() => ArchiveExtractor.Extract(source, Destination, Roomy, cancel.Token), TestContext.Current.CancellationToken);
        Assert.True(source.Reading.Wait(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken), "the archive was never read");

        var cancelledAt = TimeProvider.System.GetTimestamp();
        cancel.Cancel();
        var stopped = Assert.ThrowsAny<OperationCanceledException>(() => extract.GetAwaiter().GetResult());
        var took = TimeProvider.System.GetElapsedTime(cancelledAt);

        Assert.Equal(cancel.Token, stopped.CancellationToken);
        Assert.True(took < TimeSpan.FromSeconds(5), $"stopped {took} after the cancellation");
        Assert.True(source.Served < claimed, $"read all {source.Served} bytes");
        Assert.False(Directory.Exists(Destination));
    }

    [Fact]
    public void Extract_NamesInRefusals_AreCleanedAndShortenedAndNoServerPathShows()
    {
        var hostile = Write(Archives.TarGz([new ArchiveFile("a\n\u001b[31mred\u202e/../../" + new string('x', 300), "x")]));
        var broken = Write(Archives.TarGz([new ArchiveFile("data.bin", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(60_000)))])[..500], "broken");

        var escape = Assert.Throws<ArchiveRejectedException>(() => ArchiveExtractor.Extract(hostile, Destination, Limits, CancellationToken.None));
        var truncated = Assert.Throws<ArchiveRejectedException>(() => ArchiveExtractor.Extract(broken, Destination, Limits, CancellationToken.None));

        Assert.StartsWith("Entry 'a??[31mred?/../../xxx", escape.Message);
        Assert.Contains("x…' escapes the build folder", escape.Message);
        Assert.True(escape.Message.Length < 300, escape.Message);
        Assert.StartsWith("The tar.gz archive is broken (truncated or corrupt)", truncated.Message);
        Assert.All(new[] { escape.Message, truncated.Message }, m => Assert.DoesNotContain(_root, m, StringComparison.Ordinal));
        Assert.All(new[] { escape.Message, truncated.Message }, m => Assert.DoesNotContain(Path.GetTempPath(), m, StringComparison.Ordinal));
    }

    [Fact]
    public void Check_HostileSlug_IsRefusedAndWritesNothing()
    {
        var archive = Write(Archives.Slug([new ArchiveFile("ok.txt", "ok"), ArchiveFile.Symlink("x/l2", "."), ArchiveFile.Symlink("x/l1", "l2/../../..")]));

        var e = Assert.Throws<ArchiveRejectedException>(() => ArchiveExtractor.Check(archive, SlugLimits, CancellationToken.None));

        Assert.Contains("Symlink 'app/x/l1' points outside the slug's folder", e.Message);
        Assert.Equal([archive], Directory.GetFileSystemEntries(_root));
    }

    [Fact]
    public void Check_GoodSlug_AnswersWhatItHolds()
    {
        var archive = Write(Archives.Slug([new ArchiveFile("app.py", "print(1)"), new ArchiveFile("lib/x.py", "x = 1")]));

        var checkedSlug = ArchiveExtractor.Check(archive, SlugLimits, CancellationToken.None);

        Assert.Equal((ArchiveKind.TarGz, 2, 13L, (string?)null), (checkedSlug.Kind, checkedSlug.Files, checkedSlug.Bytes, checkedSlug.StrippedFolder));
        Assert.Equal([archive], Directory.GetFileSystemEntries(_root));
    }

    [Fact]
    public void Options_OutOfRange_AreRefusedAtStartUp()
    {
        var options = new SlipwayOptions();
        options.Archives.MaxPathLength = 5000;
        options.Slugs.MaxFileBytes = options.Slugs.MaxUnpackedBytes + 1;

        var result = new ArchiveOptionsValidation().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Slipway:Archives:MaxPathLength", result.FailureMessage);
        Assert.Contains("Slipway:Slugs:MaxFileBytes cannot exceed MaxUnpackedBytes.", result.FailureMessage);
        Assert.True(new ArchiveOptionsValidation().Validate(null, new SlipwayOptions()).Succeeded);
    }

    public void Dispose() => Slipway.Server.Builds.BuildPaths.Remove(_root);

    /// <summary>Runs a refused unpack and answers the refusal and the bytes this thread allocated meanwhile (the reader runs on the caller's thread).</summary>
    private static (ArchiveRejectedException Refusal, long Allocated) Measure(Action unpack)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var refusal = Assert.Throws<ArchiveRejectedException>(unpack);
        return (refusal, GC.GetAllocatedBytesForCurrentThread() - before);
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

    private string Write(byte[] bytes, string name = "source")
    {
        var path = Path.Combine(_root, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A stream that cannot seek, as a slug streamed from S3.</summary>
    private sealed class OneWay(Stream inner) : ReadOnlyStream
    {
        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>
    /// A tar that is one header and then data made as it is read, up to the size the header
    /// claims: huge without being on disk. <see cref="Reading"/> is set once <c>signalAfter</c> bytes were served.
    /// </summary>
    private sealed class EndlessEntry(byte[] header, long signalAfter) : ReadOnlyStream
    {
        private readonly long _claimed = 512 + Convert.ToInt64(Encoding.ASCII.GetString(header, 124, 11), 8);

        public ManualResetEventSlim Reading { get; } = new();

        public long Served { get; private set; }

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, _claimed - Served);
            for (var i = 0; i < n; i++)
            {
                buffer[i] = Served + i < header.Length ? header[Served + i] : (byte)((Served + i) * 31);
            }

            Served += n;
            if (Served >= signalAfter)
            {
                Reading.Set();
            }

            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Reading.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>Archive tests that measure the process's memory or time a cancellation: they run alone, after the others.</summary>
[CollectionDefinition(nameof(ArchiveMemory), DisableParallelization = true)]
public sealed class ArchiveMemory;
