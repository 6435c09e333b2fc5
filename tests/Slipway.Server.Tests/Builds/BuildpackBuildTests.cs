using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Slipway.Server.Data;

namespace Slipway.Server.Tests.Builds;

/// <summary>Real builds with the built-in buildpacks: source archive → buildpack → slug → release.</summary>
public sealed class BuildpackBuildTests(SqliteServerFixture fixture, ArchiveServer archives) : IClassFixture<SqliteServerFixture>, IClassFixture<ArchiveServer>
{
    private readonly SlipwayApi _api = fixture.Api;

    private SlipwayTestServer Server => fixture.Server;

    [Fact]
    public async Task Build_ProcfileApp_ReleasesSlugWithProcfileTypes()
    {
        var app = await _api.CreateAppAsync();
        var url = archives.Serve(Archives.TarGz(
            [
                new ArchiveFile("Procfile", "# a static site\nweb: python3 -m http.server --bind 127.0.0.1 $PORT\nworker: ./tick.sh\n"),
                new ArchiveFile("index.html", "<h1>hello</h1>"),
                new ArchiveFile("tick.sh", "#!/bin/sh\necho tick\n", Executable: true),
                new ArchiveFile(".git/HEAD", "ref: refs/heads/main\n"),
                new ArchiveFile("vendor/lib/.git", "gitdir: ../../.git/modules/lib\n"),
                new ArchiveFile("vendor/lib/lib.txt", "lib"),
            ],
            folder: "site-main"));

        var (build, output) = await _api.BuildAsync(app.Name, url);

        Assert.True(build.Status == "succeeded", output);
        Assert.Equal("slipway/procfile", Assert.Single(build.Buildpacks).Url);
        Assert.Contains("-----> Procfile app detected", output);
        Assert.Contains("Procfile declares types     -> web, worker", output);
        var release = await _api.GetReleaseAsync(app.Name, build.Release!.Version.ToString());
        Assert.Equal($"Deploy {build.Id.ToString("N")[..8]}", release.Description);
        Assert.Equal(build.Slug!.Id, release.Slug?.Id);
        var slug = await _api.GetSlugAsync(build.Slug.Id);
        Assert.Equal(new Dictionary<string, string> { ["web"] = "python3 -m http.server --bind 127.0.0.1 $PORT", ["worker"] = "./tick.sh" }, slug.ProcessTypes);
        var entries = await Server.SlugEntriesAsync(_api, build.Slug.Id);
        Assert.Equal("<h1>hello</h1>", entries["./app/index.html"].Text);
        Assert.True(entries["./app/tick.sh"].Mode.HasFlag(UnixFileMode.UserExecute));
        Assert.All(entries.Keys, name => Assert.StartsWith("./app/", name));
        Assert.Equal("lib", entries["./app/vendor/lib/lib.txt"].Text);
        Assert.DoesNotContain(entries.Keys, name => name.Contains(".git", StringComparison.Ordinal));
        Server.AssertNoBuildLeftovers();
    }

    [Fact]
    public async Task Build_NodeAppWithDependency_InstallsItIntoSlug()
    {
        var app = await _api.CreateAppAsync();
        var url = archives.Serve(Archives.TarGz(
        [
            new ArchiveFile("package.json", """{"name":"nodeapp","version":"1.0.0","private":true,"dependencies":{"ms":"2.1.3"},"scripts":{"build":"node build.js"}}"""),
            new ArchiveFile("build.js", "require('fs').writeFileSync('built.txt', 'built ' + require('ms')(60000));\n"),
            new ArchiveFile("server.js", "const ms = require('ms');\nrequire('http').createServer((q, r) => r.end('up ' + ms(2000))).listen(process.env.PORT, process.env.HOST);\n"),
        ]));

        var (build, output) = await _api.BuildAsync(app.Name, url);

        Assert.True(build.Status == "succeeded", output);
        Assert.Equal("slipway/nodejs", Assert.Single(build.Buildpacks).Url);
        Assert.Contains("-----> Node.js app detected", output);
        Assert.Contains("-----> Installing dependencies (npm install)", output);
        Assert.Contains("-----> Building (npm run build)", output);
        Assert.Equal(new Dictionary<string, string> { ["web"] = "npm start" }, (await _api.GetSlugAsync(build.Slug!.Id)).ProcessTypes);
        var entries = await Server.SlugEntriesAsync(_api, build.Slug.Id);
        Assert.Contains("\"version\": \"2.1.3\"", entries["./app/node_modules/ms/package.json"].Text);
        Assert.Equal("built 1m", entries["./app/built.txt"].Text);
        Assert.True(entries.ContainsKey("./app/package-lock.json"));
        Assert.NotNull(build.Release);
    }

    [Fact]
    public async Task Build_PythonStandardLibraryApp_UsesDefaultWebFromBinRelease()
    {
        var app = await _api.CreateAppAsync();
        var url = archives.Serve(Archives.Zip(
        [
            new ArchiveFile("server.py", "import http.server, os\nhttp.server.HTTPServer((os.environ['HOST'], int(os.environ['PORT'])), http.server.SimpleHTTPRequestHandler).serve_forever()\n"),
            new ArchiveFile("lib/util.py", "VALUE = 1\n"),
        ]), "app.zip");

        var (build, output) = await _api.BuildAsync(app.Name, url);

        Assert.True(build.Status == "succeeded", output);
        Assert.Equal("slipway/python", Assert.Single(build.Buildpacks).Url);
        Assert.Contains("-----> Python app detected", output);
        Assert.Contains("No requirements to install: a standard-library app", output);
        Assert.Contains("Default types for buildpack -> web", output);
        Assert.Equal(new Dictionary<string, string> { ["web"] = "python3 server.py" }, (await _api.GetSlugAsync(build.Slug!.Id)).ProcessTypes);
        var entries = await Server.SlugEntriesAsync(_api, build.Slug.Id);
        Assert.Equal("VALUE = 1\n", entries["./app/lib/util.py"].Text);
    }

    [Fact]
    public async Task Build_PythonAppWithRequirements_InstallsThemWithPipForProfileD()
    {
        // No package index is reachable here: the requirement is a wheel shipped with the app.
        var app = await _api.CreateAppAsync();
        await _api.SetConfigAsync(app.Name, new Dictionary<string, string> { ["PIP_NO_INDEX"] = "1" });
        var wheel = Wheels.Make("tinypkg", "1.0", new Dictionary<string, string> { ["tinypkg/__init__.py"] = "VALUE = 42\n" });
        var url = archives.Serve(Archives.TarGz(
        [
            new ArchiveFile("requirements.txt", "# local wheel\n./wheels/tinypkg-1.0-py3-none-any.whl\n"),
            new ArchiveFile("wheels/tinypkg-1.0-py3-none-any.whl", "") { Bytes = wheel },
            new ArchiveFile("app.py", "import tinypkg\nprint(tinypkg.VALUE)\n"),
        ]));
        var source = await _api.StartBuildAsync(app.Name, url);

        var (build, output) = await _api.WaitForBuildAsync(source);

        Assert.True(build.Status == "succeeded", output);
        Assert.Contains("-----> Installing requirements with pip", output);
        Assert.Contains("Successfully installed tinypkg-1.0", output);
        var entries = await Server.SlugEntriesAsync(_api, build.Slug!.Id);
        Assert.Equal("VALUE = 42\n", entries["./app/.python_packages/tinypkg/__init__.py"].Text);
        Assert.Contains(".python_packages", entries["./app/.profile.d/python.sh"].Text);
        Assert.Equal("python3 app.py", (await _api.GetSlugAsync(build.Slug.Id)).ProcessTypes["web"]);
    }

    [Fact]
    public async Task Build_DotnetWebApp_PublishesEntryPointAsWeb()
    {
        var app = await _api.CreateAppAsync();
        var url = archives.Serve(Archives.TarGz(
            [
                new ArchiveFile("hello.csproj", """
                    <Project Sdk="Microsoft.NET.Sdk.Web">
                      <PropertyGroup>
                        <TargetFramework>net10.0</TargetFramework>
                        <AssemblyName>HelloWeb</AssemblyName>
                        <ImplicitUsings>enable</ImplicitUsings>
                      </PropertyGroup>
                    </Project>
                    """),
                new ArchiveFile("Program.cs", "var app = WebApplication.Create(args);\napp.MapGet(\"/\", () => \"hello from dotnet\");\napp.Run();\n"),
            ],
            folder: "hello-dotnet"));

        var (build, output) = await _api.BuildAsync(app.Name, url, timeout: TimeSpan.FromMinutes(8));

        Assert.True(build.Status == "succeeded", output);
        Assert.Equal("slipway/dotnet", Assert.Single(build.Buildpacks).Url);
        Assert.Contains("-----> Publishing hello.csproj", output);
        var slug = await _api.GetSlugAsync(build.Slug!.Id);
        Assert.Equal("cd slipway_output && ASPNETCORE_URLS=http://${HOST:-0.0.0.0}:$PORT exec dotnet HelloWeb.dll", slug.ProcessTypes["web"]);
        var entries = await Server.SlugEntriesAsync(_api, build.Slug.Id);
        Assert.True(entries.ContainsKey("./app/slipway_output/HelloWeb.dll"));
        Assert.True(entries.ContainsKey("./app/slipway_output/HelloWeb.runtimeconfig.json"));
        Assert.DoesNotContain(entries.Keys, k => k.StartsWith("./app/obj/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Build_FailingCompile_CreatesNoReleaseAndNoSlug()
    {
        var app = await _api.CreateAppAsync();
        var url = archives.Serve(Archives.TarGz(
        [
            new ArchiveFile("package.json", """{"name":"broken","version":"1.0.0","private":true,"scripts":{"build":"node -e \"console.log('compiling'); process.exit(3)\""}}"""),
        ]));

        var (build, output) = await _api.BuildAsync(app.Name, url);

        Assert.Equal("failed", build.Status);
        Assert.Equal("bin/compile of buildpack slipway/nodejs failed with exit code 3.", build.FailureReason);
        Assert.Contains("compiling", output);
        Assert.EndsWith(" !     Build failed\n", output);
        Assert.Null(build.Slug);
        Assert.Null(build.Release);
        Assert.Empty(await _api.ListReleasesAsync(app.Name));
        await using var scope = Server.Services.CreateAsyncScope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<SlipwayDb>().Slugs.AnyAsync(s => s.AppId == app.Id));
        Server.AssertNoBuildLeftovers();
    }

    [Fact]
    public async Task Build_SameSourceTwice_SecondReusesTheSlug()
    {
        var app = await _api.CreateAppAsync();
        var bytes = Archives.TarGz([new ArchiveFile("Procfile", "web: python3 -m http.server --bind 127.0.0.1 $PORT\n"), new ArchiveFile("v.txt", SlipwayApi.Unique())]);

        var (first, _) = await _api.BuildAsync(app.Name, archives.Serve(bytes));
        var (second, output) = await _api.BuildAsync(app.Name, archives.Serve(bytes, "again.tar.gz"));

        Assert.Equal("succeeded", second.Status);
        Assert.False(first.SlugReused);
        Assert.True(second.SlugReused);

        // Each build's slug has the build's id (in Akkeris a build is its slug); a reused one claims the same bytes.
        Assert.Equal(first.Id, first.Slug!.Id);
        Assert.Equal(second.Id, second.Slug!.Id);
        var (firstSlug, secondSlug) = (await _api.GetSlugAsync(first.Slug.Id), await _api.GetSlugAsync(second.Slug.Id));
        Assert.Equal(firstSlug.Checksum, secondSlug.Checksum);
        Assert.Equal(firstSlug.ProcessTypes, secondSlug.ProcessTypes);
        Assert.Contains($"-----> Same source, buildpack and build-time config vars as build {first.Id.ToString("N")[..8]}: reusing its slug {first.Slug.Id}, nothing to compile", output);
        Assert.DoesNotContain("Nothing to compile: the Procfile", output);
        var release = await _api.GetReleaseAsync(app.Name, second.Release!.Version.ToString());
        Assert.Equal($"Deploy {second.Id.ToString("N")[..8]}", release.Description);
        Assert.Equal(second.Id, release.Slug?.Id);
    }

    [Fact]
    public async Task Build_SameSourceAfterABuildTimeVarChanged_BuildsAnewInsteadOfReusing()
    {
        var app = await _api.CreateAppAsync();
        var buildpack = Server.WriteBuildpack(new Dictionary<string, string>
        {
            ["detect"] = "echo Greeter",
            ["compile"] = """cp "$3/GREETING" "$1/greeting.txt"; echo "compiled with $(cat "$3/GREETING")" """,
        });
        await _api.SetConfigAsync(app.Name, new Dictionary<string, string> { ["BUILDPACK_URL"] = buildpack, ["GREETING"] = "hello" });
        var bytes = Archives.TarGz([new ArchiveFile("Procfile", "web: python3 -m http.server --bind 127.0.0.1 $PORT\n"), new ArchiveFile("v.txt", SlipwayApi.Unique())]);
        var (first, _) = await _api.BuildAsync(app.Name, archives.Serve(bytes));
        var (same, _) = await _api.BuildAsync(app.Name, archives.Serve(bytes, "same.tar.gz"));

        await _api.SetConfigAsync(app.Name, new Dictionary<string, string> { ["GREETING"] = "bonjour" });
        var (changed, output) = await _api.BuildAsync(app.Name, archives.Serve(bytes, "changed.tar.gz"));

        Assert.Equal(("succeeded", false, true), (first.Status, first.SlugReused, same.SlugReused));
        Assert.True(changed.Status == "succeeded", output);
        Assert.False(changed.SlugReused);
        Assert.Contains("compiled with bonjour", output);
        Assert.Equal("bonjour", (await Server.SlugEntriesAsync(_api, changed.Slug!.Id))["./app/greeting.txt"].Text);
        Assert.Equal("hello", (await Server.SlugEntriesAsync(_api, first.Slug!.Id))["./app/greeting.txt"].Text);

        // The buildpack's own files are part of the key too: an edited bin/compile builds anew.
        File.AppendAllText(Path.Combine(buildpack, "bin", "compile"), "\necho edited\n");
        var (edited, editedOutput) = await _api.BuildAsync(app.Name, archives.Serve(bytes, "edited.tar.gz"));
        Assert.False(edited.SlugReused);
        Assert.Contains("edited", editedOutput);
    }

    [Fact]
    public async Task Build_BuildpackUrlFolder_GetsConfigInEnvDirStackSourceVersionAndAPersistentCache()
    {
        var app = await _api.CreateAppAsync();
        var buildpack = Server.WriteBuildpack(new Dictionary<string, string>
        {
            ["detect"] = "echo Custom",
            ["compile"] = """
                echo "-----> greeting file: $(cat "$3/GREETING")"
                echo "       stack=$STACK version=$SOURCE_VERSION"
                runs=$(( $(cat "$2/runs" 2>/dev/null || echo 0) + 1 ))
                echo "$runs" > "$2/runs"
                echo "       cache runs=$runs"
                echo "compiled" > "$1/compiled.txt"
                """,
            ["release"] = "printf -- '---\ndefault_process_types:\n  web: ./serve\n'",
        });
        await _api.SetConfigAsync(app.Name, new Dictionary<string, string> { ["BUILDPACK_URL"] = buildpack, ["GREETING"] = "hi there" });
        var sha = "0123456789abcdef0123456789abcdef01234567";

        var first = await _api.WaitForBuildAsync(await _api.StartBuildAsync(app.Name, new { url = archives.Serve(Archives.TarGz([new ArchiveFile("a.txt", "1")])), sha }));
        var second = await _api.WaitForBuildAsync(await _api.StartBuildAsync(app.Name, new { url = archives.Serve(Archives.TarGz([new ArchiveFile("a.txt", "2")])), sha }));

        Assert.True(first.Build.Status == "succeeded", first.Output);
        Assert.Contains($"-----> Using buildpack {buildpack} (BUILDPACK_URL)", first.Output);
        Assert.Contains("-----> Custom app detected", first.Output);
        Assert.Contains("-----> greeting file: hi there", first.Output);
        Assert.Contains($"stack=slipway-1 version={sha}", first.Output);
        Assert.Contains("cache runs=1", first.Output);
        Assert.Contains("cache runs=2", second.Output);
        Assert.Equal(new BuildpackRefView(buildpack, "Custom"), new BuildpackRefView(first.Build.Buildpacks[0].Url, first.Build.Buildpacks[0].Name));
        Assert.Equal(new Dictionary<string, string> { ["web"] = "./serve" }, (await _api.GetSlugAsync(second.Build.Slug!.Id)).ProcessTypes);
        var release = await _api.GetReleaseAsync(app.Name, second.Build.Release!.Version.ToString());
        Assert.Equal(["BUILDPACK_URL", "GREETING"], release.ConfigVarNames);
    }

    [Fact]
    public async Task Build_BuildpackUrlGitWithRef_ClonesThatRef()
    {
        var app = await _api.CreateAppAsync();
        var repo = Server.WriteBuildpack(new Dictionary<string, string> { ["compile"] = "echo '-----> from tag v1'" });
        await GitAsync(repo, "init", "--quiet", "--initial-branch=main");
        await GitAsync(repo, "add", ".");
        await GitAsync(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "v1");
        await GitAsync(repo, "tag", "v1");
        await File.WriteAllTextAsync(Path.Combine(repo, "bin", "compile"), "#!/usr/bin/env bash\necho '-----> from main'\n");
        await GitAsync(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-am", "v2");
        await _api.SetConfigAsync(app.Name, new Dictionary<string, string> { ["BUILDPACK_URL"] = $"file://{repo}#v1" });

        var (build, output) = await _api.BuildAsync(app.Name, archives.Serve(Archives.TarGz([new ArchiveFile("a.txt", "a")])));

        Assert.True(build.Status == "succeeded", output);
        Assert.Contains("-----> from tag v1", output);
        Assert.DoesNotContain("from main", output);
        Assert.Equal($"file://{repo}#v1", build.Buildpacks[0].Url);
    }

    [Fact]
    public async Task Build_NoBuildpackMatches_FailsWithAdvice()
    {
        var app = await _api.CreateAppAsync();

        var (build, _) = await _api.BuildAsync(app.Name, archives.Serve(Archives.TarGz([new ArchiveFile("README.md", "nothing to run")])));

        Assert.Equal("failed", build.Status);
        Assert.Equal("No buildpack recognised this app (tried nodejs, python, dotnet, procfile). Add a Procfile, or set BUILDPACK_URL to a buildpack.", build.FailureReason);
    }

    private static async Task GitAsync(string repo, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("git") { WorkingDirectory = repo, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var git = System.Diagnostics.Process.Start(start)!;
        var error = await git.StandardError.ReadToEndAsync();
        await git.WaitForExitAsync();
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', arguments)}: {error}");
    }

    private sealed record BuildpackRefView(string Url, string? Name);
}
