using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Slipway.Contracts;
using Slipway.Server.Runtime;
using Slipway.Server.Tests.Builds;

namespace Slipway.Server.Tests.Runtime;

/// <summary>
/// An app deployed by a non-admin, and the build of one, run in a sandbox: they cannot read the
/// server's environment, its data folder, another app's files or see another app's processes.
/// The tests run as root with bubblewrap installed (as CI does), so isolation is on.
/// </summary>
public sealed class IsolationTests(RuntimeServerFixture fixture, ArchiveServer archives) : IClassFixture<RuntimeServerFixture>, IClassFixture<ArchiveServer>
{
    /// <summary>A web process that tries what an attacker would and answers, as JSON, what it could read ("read:…") and what it could not ("denied:…").</summary>
    private const string Spy = """
        import json, os
        from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

        def read(path):
            try:
                with open(path, "rb") as f:
                    return "read:" + f.read(65536).decode("utf-8", "replace")
            except Exception as e:
                return "denied:" + type(e).__name__

        def listing(path):
            try:
                return "read:" + ",".join(sorted(os.listdir(path)))
            except Exception as e:
                return "denied:" + type(e).__name__

        def write(path):
            try:
                with open(path, "w") as f:
                    f.write("x")
                return "wrote"
            except Exception as e:
                return "denied:" + type(e).__name__

        def report():
            return {
                "uid": os.getuid(),
                "pid1": read("/proc/1/environ"),
                "server": read("/proc/%s/environ" % os.environ["SERVER_PID"]),
                "database": read(os.environ["DATABASE"]),
                "data": listing(os.environ["DATA_DIR"]),
                "victim": read(os.path.join(os.environ["VICTIM_DIR"], "MARK")),
                "processes": [read("/proc/%s/cmdline" % p).replace("\0", " ") for p in os.listdir("/proc") if p.isdigit()],
                "own": read("MARK"),
                "home": write(os.path.join(os.environ["HOME"], "note")),
                "tmp": write("/tmp/note"),
                "slug": write("MARK"),
            }

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = json.dumps(report()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):
                pass

        ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
        """;

    private SlipwayTestServer Server => fixture.Server;

    private ProcessIsolation Isolation => Server.Services.GetRequiredService<ProcessIsolation>();

    private string Database => Path.Combine(Server.DataDir, "slipway.db");

    [Fact]
    public async Task App_DeployedByNonAdmin_ReachesNeitherTheServerNorOtherApps()
    {
        Assert.True(Isolation.Isolated, "isolation is off: the tests need root and bubblewrap (bash .ci/run installs it)");
        await using var victim = await fixture.CreateAppAsync();
        var victimSlug = TestSlug.Build("VICTIM-MARK");
        await victim.DeploySucceededAsync(await victim.UploadSlugAsync("VICTIM-MARK", new() { ["web"] = TestSlug.Command() }, victimSlug));
        var victimDir = Path.Combine(Server.DataDir, "runtime", "slugs", Archives.Checksum(victimSlug)["SHA256:".Length..], "app");
        Assert.Equal("VICTIM-MARK", File.ReadAllText(Path.Combine(victimDir, "MARK")));
        Assert.True(File.Exists(Database));

        var (dev, space) = await NonAdminAsync();
        using var _ = dev;
        var created = await dev.CreateAppAsync(space);
        await using var spy = RuntimeApp.ForExisting(dev, Server.RouterPort, created.Name);
        await spy.SetConfigAsync(new()
        {
            ["SERVER_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DATABASE"] = Database,
            ["DATA_DIR"] = Server.DataDir,
            ["VICTIM_DIR"] = victimDir,
        });
        var slug = await spy.UploadSlugAsync("SPY", new() { ["web"] = $"{TestSlug.Python} spy.py" }, TestSlug.Build("SPY", [TestSlug.File("./app/spy.py", Spy)]));
        await spy.DeploySucceededAsync(slug);

        var (status, body) = await spy.GetAsync();
        Assert.Equal(HttpStatusCode.OK, status);
        var report = JsonDocument.Parse(body).RootElement;
        string Seen(string name) => report.GetProperty(name).GetString()!;

        // What it may do: read its slug, write its home and /tmp, as its app's own user.
        Assert.Equal("read:SPY", Seen("own"));
        Assert.Equal("wrote", Seen("home"));
        Assert.Equal("wrote", Seen("tmp"));
        Assert.StartsWith("denied:", Seen("slug"));
        var victimId = (await fixture.Api.GetAppAsync(victim.Key)).Id;
        Assert.Equal(Isolation.UidOf(created.Id), report.GetProperty("uid").GetInt64());
        Assert.NotEqual(Isolation.UidOf(victimId), Isolation.UidOf(created.Id));

        // What it may not: the server's environment, the database, the data folder, the other app.
        Assert.StartsWith("denied:", Seen("server"));
        foreach (var leak in ServerOnlyEnvironment())
        {
            Assert.DoesNotContain(leak, Seen("pid1"), StringComparison.Ordinal);
        }

        Assert.DoesNotContain(SlipwayTestServer.AdminToken, body, StringComparison.Ordinal);
        Assert.StartsWith("denied:", Seen("database"));
        Assert.DoesNotContain("slipway.db", Seen("data"), StringComparison.Ordinal);
        Assert.StartsWith("denied:", Seen("victim"));
        var processes = report.GetProperty("processes").EnumerateArray().Select(p => p.GetString()!).ToList();
        Assert.InRange(processes.Count, 1, 4);
        Assert.All(processes, p => Assert.True(p.Contains("spy.py", StringComparison.Ordinal) || p.StartsWith("read:bwrap", StringComparison.Ordinal) || p.StartsWith("denied:", StringComparison.Ordinal), p));
    }

    [Fact]
    public async Task Build_Compile_SeesNeitherTheDataFolderNorTheServer()
    {
        var (dev, space) = await NonAdminAsync();
        using var _ = dev;
        var app = (await dev.CreateAppAsync(space)).Name;
        var buildpack = Server.WriteBuildpack(new Dictionary<string, string>
        {
            ["compile"] = """
                data="$(cat "$3/DATA_DIR")"
                echo "data folder: $(ls -A "$data" 2>&1 | tr '\n' ' ')"
                if cat "$data/slipway.db" > /dev/null 2>&1; then echo "database: read"; else echo "database: denied"; fi
                if cat "/proc/$(cat "$3/SERVER_PID")/environ" > /dev/null 2>&1; then echo "server: read"; else echo "server: denied"; fi
                touch "$1/built" && echo "build folder: written"
                touch "$2/cached" && echo "cache folder: written"
                echo "uid: $(id -u)"
                """,
        });
        await dev.ChangeConfigAsync(app, new Dictionary<string, string>
        {
            ["BUILDPACK_URL"] = buildpack,
            ["DATA_DIR"] = Server.DataDir,
            ["SERVER_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        var (build, output) = await dev.BuildAsync(app, archives.Serve(Archives.TarGz([new ArchiveFile("Procfile", "web: true\n")])));

        Assert.True(build.Status == "succeeded", output);
        Assert.Contains("database: denied", output, StringComparison.Ordinal);
        Assert.Contains("server: denied", output, StringComparison.Ordinal);
        Assert.DoesNotContain("slipway.db", output, StringComparison.Ordinal);
        Assert.Contains("build folder: written", output, StringComparison.Ordinal);
        Assert.Contains("cache folder: written", output, StringComparison.Ordinal);
        Assert.Contains($"uid: {Isolation.UidOf(build.App.Id)}", output, StringComparison.Ordinal);
    }

    /// <summary>A new non-admin user (her API client) and a space she is a member of.</summary>
    private async Task<(SlipwayApi Dev, string Space)> NonAdminAsync()
    {
        var email = SlipwayApi.Unique("dev") + "@example.com";
        var dev = Server.Api(await fixture.Api.CreateUserAsync(email));
        var space = await fixture.Api.CreateSpaceAsync();
        await fixture.Api.AddSpaceMemberAsync(space.Name, email);
        return (dev, space.Name);
    }

    /// <summary>NAME=value pairs of this process's (the server's) environment that no app is given.</summary>
    private static IEnumerable<string> ServerOnlyEnvironment()
    {
        string[] appNames = ["PATH", "HOME", "LANG", "HOST", "PWD", "SHLVL", "_"];
        return File.ReadAllText("/proc/self/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Where(pair => pair.IndexOf('=') is > 0 and var eq && !appNames.Contains(pair[..eq]) && pair.Length - eq > 4);
    }
}

/// <summary>A server that cannot isolate (its bubblewrap is missing) refuses deploys by non-admins, not by admins.</summary>
public sealed class UnisolatedServerTests(UnisolatedServerTests.MissingBubblewrapFixture fixture) : IClassFixture<UnisolatedServerTests.MissingBubblewrapFixture>
{
    [Fact]
    public async Task Deploys_ByNonAdmin_AreRefusedWhileAdminsStillDeploy()
    {
        var server = fixture.Server;
        Assert.False(server.Services.GetRequiredService<ProcessIsolation>().Isolated);
        await using var owned = await fixture.CreateAppAsync();
        var slug = await owned.UploadSlugAsync("A", new() { ["web"] = TestSlug.Command() });
        var email = SlipwayApi.Unique("dev") + "@example.com";
        using var dev = server.Api(await fixture.Api.CreateUserAsync(email));
        var space = (await fixture.Api.GetAppAsync(owned.Key)).Space.Name;
        await fixture.Api.AddSpaceMemberAsync(space, email);
        var releases = (await fixture.Api.ListReleasesAsync(owned.Key)).Count;

        var release = await dev.Http.PostAsJsonAsync($"/apps/{owned.Key}/releases", new { slug = slug.ToString() });
        var build = await dev.Http.PostAsJsonAsync($"/apps/{owned.Key}/builds", new { source_blob = new { url = "http://127.0.0.1:9/source.tar.gz" } });

        foreach (var refused in new[] { release, build })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
            Assert.Equal("isolation_unavailable", problem.RootElement.GetProperty("id").GetString());
            Assert.Contains("Slipway:Runtime:AllowUnisolated", problem.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(releases, (await fixture.Api.ListReleasesAsync(owned.Key)).Count);
        Assert.Empty(await fixture.Api.ListBuildsAsync(owned.Key));
        await owned.DeploySucceededAsync(slug);
        Assert.Equal(HttpStatusCode.OK, (await owned.GetAsync()).Status);
    }

    [Fact]
    public async Task Deploys_ByNonAdmin_GoThroughWhenTheOperatorAllowsUnisolated()
    {
        await using var server = await SlipwayTestServer.StartAsync(settings: ServerSettings.QuickRuntime.With(new Dictionary<string, string?>
        {
            ["Slipway:Runtime:Isolation:BubblewrapPath"] = "/nonexistent/bwrap",
            ["Slipway:Runtime:AllowUnisolated"] = "true",
        }));
        using var admin = server.Api();
        var email = SlipwayApi.Unique("dev") + "@example.com";
        using var dev = server.Api(await admin.CreateUserAsync(email));
        var space = await admin.CreateSpaceAsync();
        await admin.AddSpaceMemberAsync(space.Name, email);
        var app = (await dev.CreateAppAsync(space.Name)).Name;
        var slug = await dev.UploadSlugAsync(app, TestSlug.Build("A"), new Dictionary<string, string> { ["web"] = TestSlug.Command() });

        var release = await dev.CreateReleaseAsync(app, new { slug = slug.Id.ToString() });

        Assert.False(server.Services.GetRequiredService<ProcessIsolation>().Isolated);
        Assert.Equal("succeeded", (await dev.SettledAsync(app, release.Version, SlipwayApi.SettleTimeout)).Status);
    }

    public sealed class MissingBubblewrapFixture : RuntimeServerFixture
    {
        protected override IReadOnlyDictionary<string, string?> Settings => base.Settings.With(new Dictionary<string, string?>
        {
            ["Slipway:Runtime:Isolation:BubblewrapPath"] = "/nonexistent/bwrap",
        });
    }
}
