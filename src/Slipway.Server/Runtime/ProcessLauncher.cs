using System.Collections;
using System.Diagnostics;

namespace Slipway.Server.Runtime;

/// <summary>
/// The one place Slipway starts a process: buildpack steps, git, app processes and release phases
/// all come through here, so that whatever is to wrap them (a sandbox, a user per app) is added once.
/// Each process leads its own process group (started through <c>setsid</c>) with exactly the
/// environment of its <see cref="ProcessSpec"/>, reads end-of-file on stdin, and hands each line of
/// stdout and stderr to the caller as it comes. The <see cref="ProcessSupervisor"/> it answers owns
/// the whole group: stopping is SIGTERM to the group, a grace period, then SIGKILL until nothing is
/// left (<see cref="ProcessGroups"/>). A spec with a <see cref="ProcessSandbox"/> (app processes,
/// release phases, buildpack steps) runs in it, within the resource limits (<see cref="ProcessIsolation"/>).
/// Steps run to their end (<see cref="RunAsync"/>: buildpack steps, git) are recorded in the
/// <see cref="ProcessRegistry"/> as builds while they run, so that a server started after a crash stops what they left.
/// </summary>
public sealed class ProcessLauncher(TimeProvider clock, ProcessIsolation isolation, ProcessRegistry registry)
{
    private const string SetsidPath = "/usr/bin/setsid";

    /// <summary>What of the server's environment a tool sees: paths, locale, proxies and tool caches, never the server's settings or secrets.</summary>
    private static readonly string[] PassedVariables = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "TZ", "TMPDIR", "SSL_CERT_FILE", "SSL_CERT_DIR", "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"];

    private static readonly string[] PassedPrefixes = ["LC_", "DOTNET_", "NUGET_", "PYENV", "NVM_", "npm_config_", "NPM_CONFIG_", "PIP_"];

    /// <summary>
    /// The environment a tool (a buildpack step, git) starts from: the allow-listed part of the
    /// server's own. MSBuild's variables are left out on purpose: inherited from a parent build they
    /// break a nested <c>dotnet publish</c>.
    /// </summary>
    public static Dictionary<string, string> ToolEnvironment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            var name = (string)entry.Key;
            if (entry.Value is string value && (PassedVariables.Contains(name) || PassedPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal))))
            {
                env[name] = value;
            }
        }

        env.TryAdd("PATH", "/usr/local/bin:/usr/bin:/bin");
        return env;
    }

    /// <summary>Starts the process; <paramref name="onLine"/> gets each line with whether it came on stderr, from any thread.</summary>
    public ProcessSupervisor Start(ProcessSpec spec, Action<string, bool> onLine)
    {
        var start = StartInfo(spec);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {spec.Command}.");

        // The process reads end-of-file on stdin instead of the server's terminal.
        process.StandardInput.Close();
        return new ProcessSupervisor(process, onLine, clock);
    }

    /// <summary>
    /// Starts a process whose stdin and stdout the caller streams as bytes (a CGI program);
    /// <paramref name="onError"/> gets each line of stderr.
    /// </summary>
    public PipedProcess StartPiped(ProcessSpec spec, Action<string> onError)
    {
        var process = Process.Start(StartInfo(spec)) ?? throw new InvalidOperationException($"Could not start {spec.Command}.");
        return new PipedProcess(process, onError, clock);
    }

    private ProcessStartInfo StartInfo(ProcessSpec spec)
    {
        var start = new ProcessStartInfo
        {
            FileName = File.Exists(SetsidPath) ? SetsidPath : "setsid",
            WorkingDirectory = spec.WorkingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in isolation.CommandLine(spec))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var (name, value) in spec.Environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }

    /// <summary>
    /// Runs a step (a buildpack script, git) to its end and answers its exit code, once whatever it
    /// left running in its group is killed and every line of its output handed on. On cancellation
    /// its group is killed and this throws.
    /// </summary>
    public async Task<int> RunAsync(ProcessSpec spec, Action<string, bool> onLine, CancellationToken ct)
    {
        var environment = new Dictionary<string, string>(spec.Environment, StringComparer.Ordinal)
        {
            [ProcessRegistry.BuildEnvironmentVariable] = registry.RuntimeId,
        };
        var process = Start(spec with { Environment = environment }, onLine);
        registry.Track(process.Pgid, build: true);
        try
        {
            return await process.Exited.WaitAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await process.StopAsync(TimeSpan.Zero);
            throw;
        }
        finally
        {
            // What the step left in the background goes with it, and so its pipes close.
            await process.KillLeftoversAsync();
            registry.Untrack(process.Pgid);
            await process.OutputEnded;
        }
    }

    /// <summary>Runs a step and answers its exit code and its stdout; stderr lines go to <paramref name="onError"/>.</summary>
    public async Task<(int ExitCode, List<string> Stdout)> CaptureAsync(ProcessSpec spec, Action<string> onError, CancellationToken ct)
    {
        var stdout = new List<string>();
        var exit = await RunAsync(spec, (line, err) =>
        {
            if (err)
            {
                onError(line);
            }
            else
            {
                lock (stdout)
                {
                    stdout.Add(line);
                }
            }
        }, ct);
        return (exit, stdout);
    }
}
