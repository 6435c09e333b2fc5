using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Slipway.TestSupport;

namespace Slipway.Bench.Runtime;

/// <summary>
/// The app under test: a small HTTP server (node's <c>http</c>, or python's ThreadingHTTPServer)
/// bound to <c>$HOST:$PORT</c> that answers <c>&lt;SLIPWAY_RELEASE_VERSION&gt; slug=&lt;mark&gt;</c>,
/// so a poll sees which release answered. The same files run as a slug and bare from a shell.
/// </summary>
public sealed class BenchApp
{
    private const string NodeServer = """
        const mark = require('fs').readFileSync(__dirname + '/MARK', 'utf8').trim();
        const body = (process.env.SLIPWAY_RELEASE_VERSION || 'bare') + ' slug=' + mark + '\n';
        require('http').createServer((request, response) => {
          response.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) });
          response.end(body);
        }).listen(Number(process.env.PORT), process.env.HOST || '127.0.0.1');
        """;

    private const string PythonServer = """
        import os
        from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

        here = os.path.dirname(os.path.abspath(__file__))
        mark = open(os.path.join(here, "MARK")).read().strip()
        body = ("%s slug=%s\n" % (os.environ.get("SLIPWAY_RELEASE_VERSION", "bare"), mark)).encode()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):
                pass

        server = ThreadingHTTPServer((os.environ.get("HOST", "127.0.0.1"), int(os.environ["PORT"])), Handler)
        server.daemon_threads = True
        server.serve_forever()
        """;

    private BenchApp(string kind, string file, string source)
    {
        Kind = kind;
        File = file;
        Source = source;
        Command = kind == "node" ? $"node {file}" : $"python3 {file}";
    }

    public string Kind { get; }

    /// <summary>The web command, the same in the slug's process types and from the bare shell.</summary>
    public string Command { get; }

    private string File { get; }

    private string Source { get; }

    public static BenchApp For(string kind) => kind switch
    {
        "node" => new BenchApp("node", "server.js", NodeServer),
        "python" => new BenchApp("python", "server.py", PythonServer),
        _ => throw new ArgumentException($"Unknown app '{kind}': node or python.", nameof(kind)),
    };

    /// <summary>A slug (tar.gz under <c>./app/</c>) carrying <paramref name="mark"/>.</summary>
    public byte[] Slug(string mark) => Archives.Slug([new ArchiveFile(File, Source), new ArchiveFile("MARK", mark)]);

    /// <summary>Writes the app's files into a new temporary folder, for bare starts.</summary>
    public string WriteFolder(string mark)
    {
        var folder = Directory.CreateTempSubdirectory("slipway-bench-app-").FullName;
        System.IO.File.WriteAllText(Path.Combine(folder, File), Source);
        System.IO.File.WriteAllText(Path.Combine(folder, "MARK"), mark);
        return folder;
    }

    /// <summary>
    /// Starts <c>/bin/sh -c "&lt;command&gt;"</c> in <paramref name="folder"/> with PORT and HOST set,
    /// as the runtime does but with nothing around it. The caller kills it.
    /// </summary>
    public Process StartBare(string folder, int port)
    {
        var start = new ProcessStartInfo("/bin/sh", ["-c", Command])
        {
            WorkingDirectory = folder,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PORT"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["HOST"] = "127.0.0.1";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The <c>PORT</c> of a live process the runtime started for <paramref name="appKey"/> (found by its <c>SLIPWAY_APP</c>).</summary>
    public static int PortOfRunningProcess(string appKey)
    {
        var needle = System.Text.Encoding.UTF8.GetBytes($"SLIPWAY_APP={appKey}\0");
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var environ = System.IO.File.ReadAllBytes(Path.Combine(dir, "environ"));
                if (environ.AsSpan().IndexOf(needle) < 0)
                {
                    continue;
                }

                foreach (var variable in System.Text.Encoding.UTF8.GetString(environ).Split('\0'))
                {
                    if (variable.StartsWith("PORT=", StringComparison.Ordinal))
                    {
                        return int.Parse(variable["PORT=".Length..], CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not ours to read, or it ended while we looked.
            }
        }

        throw new InvalidOperationException($"No running process of {appKey} found.");
    }
}
