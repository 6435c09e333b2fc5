using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Slipway.Bench.Runtime;

/// <summary>
/// nginx as the peer the router is measured against: one worker, an <c>upstream</c> with
/// <c>keepalive</c> and HTTP/1.1 to the app, access log off, in a temporary prefix, listening on
/// 127.0.0.1 on a free port. Started in the foreground (<c>daemon off</c>) as this process's child,
/// so that disposing it (also when the bench fails) stops it.
/// </summary>
public sealed class NginxProxy : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _prefix;

    private NginxProxy(Process process, string prefix, int port)
    {
        _process = process;
        _prefix = prefix;
        Port = port;
    }

    public int Port { get; }

    public static bool IsInstalled() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, "nginx")));

    /// <summary>Starts nginx proxying to <c>127.0.0.1:<paramref name="upstreamPort"/></c> and waits until it accepts connections.</summary>
    public static async Task<NginxProxy> StartAsync(int upstreamPort, int keepalive)
    {
        var prefix = Directory.CreateTempSubdirectory("slipway-bench-nginx-").FullName;
        var port = BenchApp.FreePort();
        var conf = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(conf, string.Create(CultureInfo.InvariantCulture, $$"""
            worker_processes 1;
            daemon off;
            master_process on;
            pid {{prefix}}/nginx.pid;
            error_log {{prefix}}/error.log warn;
            events { worker_connections 4096; }
            http {
                access_log off;
                client_body_temp_path {{prefix}}/body;
                proxy_temp_path {{prefix}}/proxy;
                fastcgi_temp_path {{prefix}}/fastcgi;
                uwsgi_temp_path {{prefix}}/uwsgi;
                scgi_temp_path {{prefix}}/scgi;
                upstream app {
                    server 127.0.0.1:{{upstreamPort}};
                    keepalive {{keepalive}};
                }
                server {
                    listen 127.0.0.1:{{port}};
                    location / {
                        proxy_pass http://app;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_set_header Host $host;
                    }
                }
            }
            """));
        var start = new ProcessStartInfo("nginx", ["-p", prefix, "-c", conf])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var nginx = new NginxProxy(process, prefix, port);
        try
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                if (process.HasExited)
                {
                    var log = Path.Combine(prefix, "error.log");
                    throw new InvalidOperationException($"nginx exited with {process.ExitCode}: {(File.Exists(log) ? await File.ReadAllTextAsync(log) : "")}");
                }

                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync("127.0.0.1", port);
                    return nginx;
                }
                catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(10))
                {
                    await Task.Delay(20);
                }
            }
        }
        catch
        {
            await nginx.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // nginx's master takes its worker down with it; kill the tree in case it cannot.
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        try
        {
            Directory.Delete(_prefix, recursive: true);
        }
        catch (IOException)
        {
            // A worker still closing a file; the temp folder goes with the next cleanup.
        }
    }
}
