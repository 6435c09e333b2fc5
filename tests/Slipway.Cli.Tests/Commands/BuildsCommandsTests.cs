using Microsoft.Extensions.Time.Testing;

namespace Slipway.Cli.Tests.Commands;

public sealed class BuildsCommandsTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>, IAsyncLifetime
{
    private const string Procfile = "web: " + SlipwayApi.StaticWeb + "\n";

    private readonly List<string> _folders = [];
    private ArchiveServer? _archives;

    private ArchiveServer Archives => _archives!;

    public async ValueTask InitializeAsync() => _archives = await ArchiveServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_archives is not null)
        {
            await _archives.DisposeAsync();
        }

        foreach (var folder in _folders)
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ReleasesCreate_Folder_PrintsTheExactLineOnceTheReleaseIsLive()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        var folder = Folder(("Procfile", Procfile), (".git/HEAD", "ref: refs/heads/main\n"), ("public/index.html", "hello\n"));

        var result = await fixture.Aka.RunAsync("releases:create", folder, "-a", app);

        Assert.Equal($"Deploying {folder} to {app} ... ✓\n", result.Out);
        Assert.Equal("", result.Error);
        Assert.Equal(0, result.ExitCode);
        var release = await fixture.Api.GetReleaseAsync(app, 1);
        var build = Assert.Single(await fixture.Api.ListBuildsAsync(app));
        Assert.Equal("succeeded", release.Status);
        Assert.True(release.Current);
        Assert.Equal($"Deploy {build.Id.ToString("N")[..8]}", release.Description);
        Assert.Single(await fixture.Api.ListDynosAsync(app), d => d.State == "up" && d.ReleaseVersion == 1);
        await fixture.Api.DestroyAppAsync(app);
    }

    [Fact]
    public async Task ReleasesCreate_Url_PrintsTheExactLine()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        var url = Archives.Serve(Slipway.TestSupport.Archives.TarGz([new ArchiveFile("Procfile", Procfile)], folder: "source-main"));

        var result = await fixture.Aka.RunAsync("releases:create", url, "-a", app);

        Assert.Equal($"Deploying {url} to {app} ... ✓\n", result.Out);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(1, Archives.Hits[new Uri(url).AbsolutePath]);
        Assert.Equal("succeeded", (await fixture.Api.GetReleaseAsync(app, 1)).Status);
        await fixture.Api.DestroyAppAsync(app);
    }

    [Fact]
    public async Task ReleasesCreate_LocalArchive_IsUploadedAsItIs()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        var archive = Path.Combine(Folder(), "app.zip");
        await File.WriteAllBytesAsync(archive, Slipway.TestSupport.Archives.Zip([new ArchiveFile("Procfile", Procfile)]), TestContext.Current.CancellationToken);

        var result = await fixture.Aka.RunAsync("releases:create", archive, "-a", app);

        Assert.Equal($"Deploying {archive} to {app} ... ✓\n", result.Out);
        Assert.Equal(0, result.ExitCode);
        await fixture.Api.DestroyAppAsync(app);
    }

    [Fact]
    public async Task ReleasesCreate_NoBuildpackDetects_PrintsTheCrossAndTheLastLinesAndFails()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        var folder = Folder(("README.txt", "nothing to run here\n"));

        var result = await fixture.Aka.RunAsync("releases:create", folder, "-a", app);

        var build = Assert.Single(await fixture.Api.ListBuildsAsync(app));
        var lines = (await fixture.Api.GetBuildResultAsync(app, build.Id)).Lines;
        Assert.NotEmpty(lines);
        Assert.Equal(
            $"Deploying {folder} to {app} ... ✕\n" + string.Concat(lines.TakeLast(20).Select(l => l.Line + "\n")),
            result.Out);
        Assert.Equal($"! Build {build.Id.ToString("N")[..8]} failed: {build.FailureReason}\n", result.Error);
        Assert.Equal("failed", build.Status);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"{app} has no releases yet\n", (await fixture.Aka.RunAsync("releases", "-a", app)).Out);
    }

    [Fact]
    public async Task ReleasesCreate_CompileFails_PrintsTheLastTwentyLines()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.SetConfigAsync(app, new Dictionary<string, string>
        {
            ["BUILDPACK_URL"] = Folder(
                ("bin/detect", "#!/bin/sh\necho Failing\n"),
                ("bin/compile", "#!/bin/sh\nfor i in $(seq 1 30); do echo \"compile line $i\"; done\nexit 1\n")),
        });
        var folder = Folder(("Procfile", Procfile));

        var result = await fixture.Aka.RunAsync("releases:create", folder, "-a", app);

        var lines = result.Out.TrimEnd('\n').Split('\n');
        Assert.Equal($"Deploying {folder} to {app} ... ✕", lines[0]);
        Assert.Equal(21, lines.Length);
        Assert.Contains("compile line 30", string.Join("\n", lines));
        Assert.DoesNotContain("compile line 1\n", result.Out);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task ReleasesCreate_ReleasePhaseFails_PrintsTheReasonAndTheReleaseOutput()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        var folder = Folder(("Procfile", Procfile + "release: echo migrating; exit 3\n"));

        var result = await fixture.Aka.RunAsync("releases:create", folder, "-a", app);

        var release = await fixture.Api.GetReleaseAsync(app, 1);
        Assert.Equal("failed", release.Status);
        Assert.Equal($"Deploying {folder} to {app} ... ✕\nmigrating\n", result.Out);
        Assert.Equal($"! Release v1 failed: {release.FailureReason}\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task ReleasesCreate_ProcessExitsBeforeItIsUp_PrintsTheReasonAndItsLastTwentyLines()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        var folder = Folder(("Procfile", "web: for i in $(seq 1 25); do echo \"boot line $i\"; done; echo \"gunicorn: not found\"; exit 127\n"));

        var result = await fixture.Aka.RunAsync("releases:create", folder, "-a", app);

        var release = await fixture.Api.GetReleaseAsync(app, 1);
        Assert.Equal("failed", release.Status);
        Assert.Equal(
            $"Deploying {folder} to {app} ... ✕\n" + string.Concat(Enumerable.Range(7, 19).Select(i => $"boot line {i}\n")) + "gunicorn: not found\n",
            result.Out);
        Assert.Equal("! Release v1 failed: web.1 exited with status 127 before it was up.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
        await fixture.Api.DestroyAppAsync(app);
    }

    [Fact]
    public async Task ConfigSetAndRollback_ReleaseFails_PrintTheReasonAndTheProcesssLastLines()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        // Where the app's sandboxed processes can look (they see nothing else of the host's /tmp).
        var gate = Directory.CreateDirectory(Path.Combine(ReleaseGate.EnsureRoot(), Guid.NewGuid().ToString("N"))).FullName;
        _folders.Add(gate);
        var marker = Path.Combine(gate, "refuse");
        var folder = Folder(("Procfile", $"web: if [ -n \"$BROKEN\" ]; then echo 'cannot start: BROKEN is set'; exit 3; fi; if [ -e {marker} ]; then echo 'marker present, refusing'; exit 4; fi; exec {SlipwayApi.StaticWeb}\n"));
        Assert.Equal(0, (await fixture.Aka.RunAsync("releases:create", folder, "-a", app)).ExitCode);
        Assert.Equal(0, (await fixture.Aka.RunAsync("releases:create", folder, "-a", app)).ExitCode);

        var set = await fixture.Aka.RunAsync("config:set", "BROKEN=s3cr3t-value", "-a", app);
        await File.WriteAllTextAsync(marker, "", TestContext.Current.CancellationToken);
        var rollback = await fixture.Aka.RunAsync("rollback", "v1", "-a", app);

        Assert.Equal($"Setting BROKEN and restarting {app} ... failed, v3\ncannot start: BROKEN is set\n", set.Out);
        Assert.Equal($"! Release v3 failed: web.1 exited with status 3 before it was up. {app} keeps running its current release.\n", set.Error);
        Assert.Equal(1, set.ExitCode);
        Assert.DoesNotContain("s3cr3t-value", set.Out + set.Error, StringComparison.Ordinal);
        Assert.Equal("marker present, refusing\n", rollback.Out);
        Assert.Equal($"! Rolling back to v1 failed (v4): web.1 exited with status 4 before it was up. {app} keeps running its current release.\n", rollback.Error);
        Assert.Equal(1, rollback.ExitCode);
        Assert.Equal(("failed", "marker present, refusing\n"), ((await fixture.Api.GetReleaseAsync(app, 4)).Status, (await fixture.Api.GetReleaseAsync(app, 4)).FailureLog));
        Assert.Single(await fixture.Api.ListDynosAsync(app), d => d.State == "up" && d.ReleaseVersion == 2);
        await fixture.Api.DestroyAppAsync(app);
    }

    [Fact]
    public async Task ReleasesCreate_OnTerminal_SpinsThenPrintsAGreenTick()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        var folder = Folder(("Procfile", Procfile));

        var result = await (fixture.Aka with { IsTerminal = true }).RunAsync("releases:create", folder, "-a", app);

        Assert.Contains($"Deploying {folder} to {app} ... \u001b[32m✓\u001b[0m\n", result.Out);
        Assert.Equal(0, result.ExitCode);
        await fixture.Api.DestroyAppAsync(app);
    }

    [Fact]
    public async Task ReleasesCreate_NeitherUrlNorFile_IsRefused()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;

        var result = await fixture.Aka.RunAsync("releases:create", "/no/such/place", "-a", app);

        Assert.Equal("! /no/such/place is not an http(s) URL, a folder or an archive file.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task Builds_InfoAndOutput_ShowTheBuild()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        var url = Archives.Serve(Slipway.TestSupport.Archives.TarGz([new ArchiveFile("Procfile", Procfile)]));
        Assert.Equal(0, (await fixture.Aka.RunAsync("releases:create", url, "-a", app)).ExitCode);
        var build = Assert.Single(await fixture.Api.ListBuildsAsync(app));
        var id = build.Id.ToString("N")[..8];
        var aka = fixture.Aka with { Clock = new FakeTimeProvider(build.CreatedAt.AddMinutes(2)) };

        var list = await aka.RunAsync("builds", "-a", app);
        var info = await aka.RunAsync("builds:info", id, "-a", app);
        var output = await aka.RunAsync("builds:output", id, "-a", app);

        Assert.Equal($"{id}  succeeded  2 minutes ago  {url}\n", list.Out);
        Assert.StartsWith(
            $"=== {app} Build {id}\n" +
            $"Id:        {build.Id}\n" +
            "Status:    succeeded\n" +
            $"Source:    {url}\n" +
            "Buildpack: ",
            info.Out);
        Assert.Contains($"\nSlug:      {build.Slug!.Id}\nRelease:   v1\nBy:        admin@slipway.local\nWhen:      {build.CreatedAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}\n", info.Out);
        var lines = (await fixture.Api.GetBuildResultAsync(app, build.Id)).Lines;
        Assert.Equal(string.Concat(lines.Select(l => l.Line + "\n")), output.Out);
        Assert.Contains("Released v1", output.Out);
        Assert.Equal(0, output.ExitCode);
        await fixture.Api.DestroyAppAsync(app);
    }

    [Fact]
    public async Task ReleasesCreate_Verbose_StreamsTheBuildOutputFirst()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        var folder = Folder(("Procfile", Procfile));

        var result = await fixture.Aka.RunAsync("releases:create", folder, "-a", app, "--verbose");

        var build = Assert.Single(await fixture.Api.ListBuildsAsync(app));
        var lines = (await fixture.Api.GetBuildResultAsync(app, build.Id)).Lines;
        Assert.Equal(string.Concat(lines.Select(l => l.Line + "\n")) + $"Deploying {folder} to {app} ... ✓\n", result.Out);
        Assert.Equal(0, result.ExitCode);
        await fixture.Api.DestroyAppAsync(app);
    }

    [Fact]
    public async Task Builds_UnknownBuild_FailsWithTheServerMessage()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;

        var result = await fixture.Aka.RunAsync("builds:info", "0123abcd", "-a", app);

        Assert.Equal($"! Build '0123abcd' not found for {app}.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    /// <summary>A new folder with these files (scripts under bin/ executable).</summary>
    private string Folder(params (string Path, string Content)[] files)
    {
        var root = Directory.CreateTempSubdirectory("aka-source-").FullName;
        _folders.Add(root);

        // Readable by an app's own user too: a folder given as BUILDPACK_URL runs in the build's sandbox.
        File.SetUnixFileMode(root, (UnixFileMode)0x1ED);
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
            if (path.StartsWith("bin/", StringComparison.Ordinal))
            {
                File.SetUnixFileMode(full, (UnixFileMode)0x1ED);
            }
        }

        return root;
    }
}
