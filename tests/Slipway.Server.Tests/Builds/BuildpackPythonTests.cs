namespace Slipway.Server.Tests.Builds;

/// <summary>
/// Issue 12: Python apps in the shapes real projects have, built by the <c>python</c> buildpack and
/// deployed through the API. No package index is reachable from here, so each test writes the
/// packages it needs as wheels into a folder of its own and points pip at it with the
/// <c>PIP_FIND_LINKS</c> and <c>PIP_NO_INDEX</c> config vars, as an app with a private wheelhouse would.
/// </summary>
public sealed class BuildpackPythonTests(BuildpackServerFixture fixture, ArchiveServer archives) : IClassFixture<BuildpackServerFixture>, IClassFixture<ArchiveServer>
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);

    /// <summary>A stand-in for gunicorn: a console script that serves the WSGI app its argument names (<c>module:attribute</c>) on PORT.</summary>
    private const string TinyServe = """
        import importlib, os, sys
        from wsgiref.simple_server import make_server, WSGIRequestHandler

        class Quiet(WSGIRequestHandler):
            def log_message(self, *args):
                pass

        def main():
            module, _, name = sys.argv[1].partition(":")
            sys.path.insert(0, os.getcwd())
            app = getattr(importlib.import_module(module), name)
            make_server(os.environ.get("HOST", "0.0.0.0"), int(os.environ["PORT"]), app, handler_class=Quiet).serve_forever()
        """;

    /// <summary>
    /// A stand-in for Django, named <c>django</c>: its <c>execute_from_command_line</c> knows only
    /// <c>collectstatic</c>, which copies the files of the settings' <c>STATICFILES_DIRS</c> into
    /// <c>STATIC_ROOT</c> and says how many, as Django's does.
    /// </summary>
    private const string DjangoManagement = """
        import os, shutil, sys

        def execute_from_command_line(argv):
            if argv[1:3] != ["collectstatic", "--noinput"]:
                sys.exit("stand-in django: only 'collectstatic --noinput', not %r" % argv[1:])
            settings = __import__(os.environ["DJANGO_SETTINGS_MODULE"], fromlist=["*"])
            count = 0
            for source in settings.STATICFILES_DIRS:
                for root, _, files in os.walk(source):
                    for name in files:
                        target = os.path.join(settings.STATIC_ROOT, os.path.relpath(os.path.join(root, name), source))
                        os.makedirs(os.path.dirname(target), exist_ok=True)
                        shutil.copyfile(os.path.join(root, name), target)
                        count += 1
            print("%d static files copied to '%s'." % (count, settings.STATIC_ROOT))
        """;

    [Fact]
    public async Task Deploy_AppStartedByConsoleScriptInProcfile_FindsItOnPathAndWarnsOnceAboutRuntimeTxt()
    {
        var api = fixture.Api;
        await using var app = await fixture.CreateAppAsync();
        using var wheelhouse = new Wheelhouse(fixture.Wheelhouses);
        wheelhouse.Add("tinyserve", "1.0", new Dictionary<string, string> { ["tinyserve/__init__.py"] = TinyServe }, new Dictionary<string, string> { ["tinyserve"] = "tinyserve:main" });
        await app.SetConfigAsync(wheelhouse.ConfigVars);
        var defaultPython = (await TestTools.RunAsync("python3", ["-c", "import platform; print(platform.python_version())"], "/")).Trim();
        var url = archives.Serve(Archives.TarGz(
        [
            new ArchiveFile("requirements.txt", "tinyserve==1.0\n"),
            new ArchiveFile("runtime.txt", "python-3.7.99\n"),
            new ArchiveFile("Procfile", "web: tinyserve app:app\n"),
            new ArchiveFile("app.py", """
                import os, sys

                def app(environ, start_response):
                    body = " ".join(["wsgi app served by", "/".join(sys.argv[0].split("/")[-3:]), os.environ["SLIPWAY_RELEASE_VERSION"]]).encode()
                    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
                    return [body]
                """),
        ]));

        var (build, output) = await api.BuildAsync(app.Key, url, timeout: BuildTimeout);

        Assert.True(build.Status == "succeeded", output);
        var warning = Assert.Single(output.Split('\n'), line => line.Contains("Warning", StringComparison.Ordinal));
        Assert.Equal($" !     Warning: runtime.txt asks for Python 3.7.99, which this server does not have (Slipway:Builds:PythonVersionsDir): using Python {defaultPython}", warning);
        Assert.Contains("Successfully installed tinyserve-1.0", output);
        var entries = await fixture.Server.SlugEntriesAsync(api, build.Slug!.Id);
        Assert.True(entries["./app/.python_packages/bin/tinyserve"].Mode.HasFlag(UnixFileMode.UserExecute));
        Assert.Equal(
            "wsgi app served by .python_packages/bin/tinyserve v2",
            await app.ServesReleaseOfAsync(build, "wsgi app", BuildTimeout));
    }

    [Fact]
    public async Task Deploy_DjangoStyleApp_CollectsStaticFilesWithThePythonItAskedFor()
    {
        var api = fixture.Api;
        await using var app = await fixture.CreateAppAsync();
        using var wheelhouse = new Wheelhouse(fixture.Wheelhouses);
        wheelhouse.Add("django", "5.0", new Dictionary<string, string>
        {
            ["django/__init__.py"] = "VERSION = (5, 0)\n",
            ["django/core/__init__.py"] = "",
            ["django/core/management/__init__.py"] = DjangoManagement,
        });
        await app.SetConfigAsync(wheelhouse.ConfigVars);
        var url = archives.Serve(Archives.TarGz(
            [
                new ArchiveFile("requirements.txt", "django==5.0\n"),
                new ArchiveFile(".python-version", BuildpackServerFixture.StandInPython + "\n"),
                new ArchiveFile("manage.py", """
                    import os, sys

                    if __name__ == "__main__":
                        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
                        from django.core.management import execute_from_command_line
                        execute_from_command_line(sys.argv)
                    """),
                new ArchiveFile("mysite/__init__.py", ""),
                new ArchiveFile("mysite/settings.py", """
                    from pathlib import Path

                    BASE_DIR = Path(__file__).resolve().parent.parent
                    STATIC_URL = "static/"
                    STATIC_ROOT = BASE_DIR / "staticfiles"
                    STATICFILES_DIRS = [BASE_DIR / "static"]
                    """),
                new ArchiveFile("static/css/site.css", "body { color: teal; }"),
                new ArchiveFile("Procfile", "web: python3 serve.py\n"),
                new ArchiveFile("serve.py", """
                    import os
                    from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

                    class Handler(BaseHTTPRequestHandler):
                        def do_GET(self):
                            with open("staticfiles/css/site.css") as css:
                                body = " | ".join([css.read(), os.environ.get("SLIPWAY_TEST_TOOLCHAIN", "default python"), os.environ["SLIPWAY_RELEASE_VERSION"]]).encode()
                            self.send_response(200)
                            self.send_header("Content-Length", str(len(body)))
                            self.end_headers()
                            self.wfile.write(body)

                    ThreadingHTTPServer((os.environ["HOST"], int(os.environ["PORT"])), Handler).serve_forever()
                    """),
            ],
            folder: "mysite-main"));

        var (build, output) = await api.BuildAsync(app.Key, url, timeout: BuildTimeout);

        Assert.True(build.Status == "succeeded", output);
        Assert.DoesNotContain("Warning", output);
        Assert.Contains($"(.python-version: {BuildpackServerFixture.StandInPython})", output);
        Assert.Contains("-----> Running manage.py collectstatic --noinput", output);
        Assert.Contains("1 static files copied to '", output);
        var entries = await fixture.Server.SlugEntriesAsync(api, build.Slug!.Id);
        Assert.Equal("body { color: teal; }", entries["./app/staticfiles/css/site.css"].Text);
        Assert.Equal(
            $"body {{ color: teal; }} | python {BuildpackServerFixture.StandInPython} | v2",
            await app.ServesReleaseOfAsync(build, "body", BuildTimeout));
    }

    /// <summary>
    /// A folder of wheels this test wrote (in the fixture's <see cref="BuildpackServerFixture.Wheelhouses"/>,
    /// which builds see), and the config vars that make pip install from it alone.
    /// </summary>
    private sealed class Wheelhouse(string parent) : IDisposable
    {
        private readonly DirectoryInfo _dir = Directory.CreateDirectory(Path.Combine(parent, Guid.NewGuid().ToString("N")));

        public Dictionary<string, string?> ConfigVars => new() { ["PIP_FIND_LINKS"] = _dir.FullName, ["PIP_NO_INDEX"] = "1" };

        public void Add(string name, string version, IReadOnlyDictionary<string, string> files, IReadOnlyDictionary<string, string>? consoleScripts = null) =>
            File.WriteAllBytes(Path.Combine(_dir.FullName, Wheels.FileName(name, version)), Wheels.Make(name, version, files, consoleScripts));

        public void Dispose() => _dir.Delete(recursive: true);
    }
}
