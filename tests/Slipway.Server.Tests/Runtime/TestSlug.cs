using System.Diagnostics;

namespace Slipway.Server.Tests.Runtime;

/// <summary>
/// Slugs for the runtime tests: a tar.gz with a small python3 program under <c>./app/</c> whose
/// behaviour its process types pick (serve, exit at once, never bind, release phase ok or failing).
/// Each slug carries a mark that the web process prints, so a test sees which slug answered.
/// </summary>
public static class TestSlug
{
    /// <summary>
    /// <c>serve</c> answers "v3 slug=A greeting=… dyno=web.1"; <c>/crash</c> kills the process, <c>/unhealthy</c> answers 500.
    /// The other modes exit, never bind, or play a release phase.
    /// </summary>
    public const string Program = """
        import os, sys, time
        from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

        here = os.path.dirname(os.path.abspath(__file__))
        mark = open(os.path.join(here, "MARK")).read().strip()
        mode = sys.argv[1] if len(sys.argv) > 1 else "serve"
        version = os.environ.get("SLIPWAY_RELEASE_VERSION", "")

        if mode == "exit":
            print("exiting at once", flush=True)
            sys.exit(3)
        if mode == "nobind":
            print("never binding", flush=True)
            time.sleep(3600)
        if mode == "release-fail":
            print("migration failed for " + version, flush=True)
            sys.exit(7)
        if mode == "release-ok":
            print("migrated " + version + " greeting=" + os.environ.get("GREETING", ""), flush=True)
            sys.exit(0)
        if mode == "worker":
            print("worker " + os.environ["DYNO"] + " running", flush=True)
            while True:
                time.sleep(1)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                if self.path == "/crash":
                    print("crashing on request", flush=True)
                    os._exit(1)
                if self.path == "/unhealthy":
                    self.send_response(500)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = ("%s slug=%s greeting=%s dyno=%s\n" % (version, mark, os.environ.get("GREETING", ""), os.environ["DYNO"])).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler)
        server.daemon_threads = True
        print("listening on " + os.environ["PORT"], flush=True)
        server.serve_forever()
        """;

    private static readonly Lazy<string> PythonPath = new(FindPython);

    /// <summary>The python3 interpreter's absolute path, so the app needs nothing from the server's PATH.</summary>
    public static string Python => PythonPath.Value;

    public static string Command(string mode = "serve") => $"{Python} app.py {mode}";

    /// <summary>
    /// A tar.gz holding <c>./app/app.py</c> and <c>./app/MARK</c>, plus any extra entries, named in
    /// full (<c>./app/…</c>), so that a test can also write one that leaves the folder.
    /// </summary>
    public static byte[] Build(string mark, IEnumerable<ArchiveFile>? extra = null) => Archives.TarGz(
    [
        ArchiveFile.Directory("./app/"),
        File("./app/app.py", Program),
        File("./app/MARK", mark),
        .. extra ?? [],
    ]);

    public static ArchiveFile File(string name, string content) => new(name, content);

    private static string FindPython()
    {
        var start = new ProcessStartInfo("python3", ["-c", "import sys; print(sys.executable)"]) { RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var path = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return path.Length > 0 ? path : "/usr/bin/python3";
    }
}
