using System.Net;
using Slipway.Server.Tests.Runtime;

namespace Slipway.Server.Tests.Addons;

/// <summary>
/// Issue 6 end to end: attaching the built-in postgresql add-on restarts the app onto a release
/// whose web process sees a <c>DATABASE_URL</c> that connects; detaching restarts it without one.
/// </summary>
public sealed class AddonProcessEnvironmentTests(RuntimeAddonServerFixture fixture) : IClassFixture<RuntimeAddonServerFixture>
{
    /// <summary>A web process that answers its release version, its DATABASE_URL and what <c>psql "$DATABASE_URL" -c 'select 1'</c> printed.</summary>
    private const string Program = """
        import os, shutil, subprocess
        from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

        def describe():
            url = os.environ.get("DATABASE_URL")
            if url is None:
                return "db=none"
            if shutil.which("psql") is None:
                return "db=" + url
            done = subprocess.run(["psql", url, "-tA", "-c", "select 40 + 2"], capture_output=True, text=True, timeout=20)
            return "db=" + url + " psql=" + (done.stdout.strip() or done.stderr.strip())

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = (os.environ["SLIPWAY_RELEASE_VERSION"] + " " + describe()).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):
                pass

        ThreadingHTTPServer((os.environ["HOST"], int(os.environ["PORT"])), Handler).serve_forever()
        """;

    [Fact]
    public async Task Postgresql_AttachThenDetach_WebProcessSeesDatabaseUrlThenNot()
    {
        await using var app = await RuntimeApp.CreateAsync(fixture.Server.Api(), fixture.Server.RouterPort);
        var api = fixture.Api;
        var slug = await app.UploadSlugAsync("db", new() { ["web"] = $"{TestSlug.Python} env.py" }, Archives.Slug([new ArchiveFile("env.py", Program)]));
        Assert.Equal(1, await app.DeploySucceededAsync(slug));
        Assert.Equal("v1 db=none", await app.ServesAsync("v1 "));

        var addon = await api.CreateAddonAsync(app.Key, "postgresql", name: "env-db");

        var databaseUrl = (await api.GetConfigAsync(app.Key))["DATABASE_URL"];
        var attach = await app.SettledAsync(2);
        Assert.Equal(("Attach env-db add-on", "succeeded"), (attach.Description, attach.Status));
        var psql = File.Exists("/usr/bin/psql") || File.Exists("/usr/local/bin/psql") ? " psql=42" : "";
        Assert.Equal($"v2 db={databaseUrl}{psql}", await app.ServesAsync("v2 "));
        Assert.Equal(2, Assert.Single(await app.DynosAsync()).ReleaseVersion);

        var detached = await api.DeleteAddonAsync(app.Key, addon.Name);

        Assert.Equal(HttpStatusCode.OK, detached.StatusCode);
        var detach = await app.SettledAsync(3);
        Assert.Equal(("Detach env-db add-on", "succeeded"), (detach.Description, detach.Status));
        Assert.Equal("v3 db=none", await app.ServesAsync("v3 "));
        Assert.Equal(3, Assert.Single(await app.DynosAsync()).ReleaseVersion);
        await app.DestroyAsync();
        Assert.Empty(AppProcesses.Of(app.Key));
    }
}
