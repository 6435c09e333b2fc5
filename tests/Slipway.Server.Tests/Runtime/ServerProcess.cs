using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Slipway.Server.Tests.Runtime;

/// <summary>
/// The built server as a real child process (<c>dotnet Slipway.Server.dll</c>), so that a test can
/// SIGKILL it and start it again on the same data folder and ports.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, int apiPort, int routerPort)
    {
        _process = process;
        ApiPort = apiPort;
        RouterPort = routerPort;
    }

    public int ApiPort { get; }

    public int Pid => _process.Id;

    public int RouterPort { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<ServerProcess> StartAsync(string dataDir, int apiPort, int routerPort, IEnumerable<KeyValuePair<string, string?>>? extraSettings = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dataDir,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Slipway.Server.dll"));
        start.ArgumentList.Add($"--urls=http://127.0.0.1:{apiPort}");
        start.ArgumentList.Add($"--Slipway:DataDir={dataDir}");
        start.ArgumentList.Add($"--Slipway:AdminToken={SlipwayTestServer.AdminToken}");
        start.ArgumentList.Add($"--Slipway:Router:Port={routerPort}");
        start.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        foreach (var (key, value) in ServerSettings.QuickRuntime.Concat(extraSettings ?? []))
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        var server = new ServerProcess(Process.Start(start)!, apiPort, routerPort);
        server._process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();

        using var probe = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}"), Timeout = TimeSpan.FromSeconds(5) };
        await Poll.UntilAsync(
            async () =>
            {
                Assert.False(server._process.HasExited, $"The server exited: {server.Output}");
                try
                {
                    return (await probe.GetAsync("/health")).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            "the server to answer /health",
            TimeSpan.FromSeconds(60));
        return server;
    }

    /// <summary>The typed API client as the admin; the caller disposes it.</summary>
    public SlipwayApi Api() => new(Client());

    public HttpClient Client()
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ApiPort}"), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", SlipwayTestServer.AdminToken);
        return client;
    }

    /// <summary>SIGKILL: the server gets no chance to stop anything.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as a service manager stops it; answers the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var deadline = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(deadline.Token);
        return _process.ExitCode;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
