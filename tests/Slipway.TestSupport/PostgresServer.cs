using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Slipway.TestSupport;

/// <summary>
/// A real PostgreSQL server for a test run. Uses <c>SLIPWAY_TEST_POSTGRES</c> (a superuser
/// connection string, as <c>.ci/run</c> sets) when given; otherwise starts a private cluster
/// with <c>initdb</c> and <c>pg_ctl</c> on a free loopback port and removes it afterwards.
/// Each test class asks for its own database with <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string EnvironmentVariable = "SLIPWAY_TEST_POSTGRES";

    private readonly SemaphoreSlim _startLock = new(1, 1);
    private string? _adminConnectionString;
    private string? _clusterDir;
    private string? _binDir;

    public async Task<string> AdminConnectionStringAsync()
    {
        await _startLock.WaitAsync();
        try
        {
            return _adminConnectionString ??= Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured
                ? configured
                : await StartPrivateClusterAsync();
        }
        finally
        {
            _startLock.Release();
        }
    }

    /// <summary>Creates an empty database and answers a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var admin = await AdminConnectionStringAsync();
        var name = "slipway_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true, MaxPoolSize = 40 }.ConnectionString;
    }

    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(await AdminConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_clusterDir is null)
        {
            return;
        }

        await RunAsync(Path.Combine(_binDir!, "pg_ctl"), ["-D", Path.Combine(_clusterDir, "data"), "-m", "immediate", "stop"]);
        Directory.Delete(_clusterDir, recursive: true);
    }

    private async Task<string> StartPrivateClusterAsync()
    {
        _binDir = FindBinDir() ?? throw new InvalidOperationException(
            $"No PostgreSQL found: set {EnvironmentVariable} to a superuser connection string, or install postgresql (initdb and pg_ctl).");
        _clusterDir = Directory.CreateTempSubdirectory("slipway-pg-").FullName;
        var data = Path.Combine(_clusterDir, "data");
        var port = FreePort();

        // initdb refuses to run as root; the cluster then belongs to the postgres user.
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", ["postgres:postgres", _clusterDir]);
        }

        await RunAsync(Path.Combine(_binDir, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
        await RunAsync(Path.Combine(_binDir, "pg_ctl"), [
            "-D", data, "-l", Path.Combine(_clusterDir, "server.log"), "-w", "-t", "60",
            "-o", $"-p {port} -k {_clusterDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300",
            "start",
        ]);
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
    }

    private static string? FindBinDir()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
        {
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")))
            {
                return dir;
            }
        }

        return Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
    }

    private static async Task RunAsync(string program, string[] arguments)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Environment.UserName == "root" && program != "chown")
        {
            start.FileName = "runuser";
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add("postgres");
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(program);
        }
        else
        {
            start.FileName = program;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await stdout}{await stderr}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
