using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Slipway.TestSupport;

/// <summary>
/// A real S3-compatible server (the npm package s3rver, pinned in <c>tests/tools</c>) on a free
/// loopback port, with one bucket (installed through <see cref="TestTools"/>). A test
/// class shares one as a class fixture.
/// </summary>
public sealed class S3rverServer : IAsyncLifetime
{
    public const string AccessKey = "S3RVER";

    public const string SecretKey = "S3RVER";

    private Process? _process;
    private string? _directory;

    public string ServiceUrl { get; private set; } = "";

    public string Bucket { get; } = "slipway-slugs";

    /// <summary>The settings that point a Slipway server's slug store at this server.</summary>
    public Dictionary<string, string?> SlipwaySettings(string prefix = "slugs/") => new()
    {
        ["Slipway:Slugs:Kind"] = "s3",
        ["Slipway:Slugs:S3:Bucket"] = Bucket,
        ["Slipway:Slugs:S3:ServiceUrl"] = ServiceUrl,
        ["Slipway:Slugs:S3:ForcePathStyle"] = "true",
        ["Slipway:Slugs:S3:AccessKey"] = AccessKey,
        ["Slipway:Slugs:S3:SecretKey"] = SecretKey,
        ["Slipway:Slugs:S3:Prefix"] = prefix,
    };

    public async ValueTask InitializeAsync()
    {
        var script = await TestTools.PathOfAsync(Path.Combine("s3rver", "bin", "s3rver.js"));

        var directory = Directory.CreateTempSubdirectory("slipway-s3-").FullName;
        var port = FreePort();
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { script, "-d", directory, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent", "--configure-bucket", Bucket })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        (_process, _directory) = (process, directory);
        ServiceUrl = $"http://127.0.0.1:{port}";
        await WaitForPortAsync(port, process);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }


    private static async Task WaitForPortAsync(int port, Process process)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"s3rver exited with code {process.ExitCode}.");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"s3rver did not listen on {port} within 30 s.");
    }


    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
