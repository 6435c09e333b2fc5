using System.Collections;
using System.Diagnostics;
using Slipway.Server.Runtime;

namespace Slipway.Server.Builds;

/// <summary>One buildpack step to run: a program, its arguments, its folder and its whole environment.</summary>
public sealed record StepSpec(string File, IReadOnlyList<string> Arguments, string WorkingDirectory, IReadOnlyDictionary<string, string> Environment);

/// <summary>
/// Runs a buildpack step as the leader of its own process group (through <c>setsid</c>), so
/// that cancelling, a timeout, or the step's end kills everything it started, not just itself.
/// Each line of stdout and stderr is handed to the caller as it arrives.
/// </summary>
public static class BuildProcess
{
    /// <summary>What of the server's environment a build sees: tools and their caches, never the server's settings or secrets.</summary>
    private static readonly string[] PassedVariables = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "TZ", "TMPDIR", "SSL_CERT_FILE", "SSL_CERT_DIR", "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"];

    private static readonly string[] PassedPrefixes = ["LC_", "DOTNET_", "NUGET_", "PYENV", "NVM_", "npm_config_", "NPM_CONFIG_", "PIP_"];

    /// <summary>
    /// The environment every step starts from: the allow-listed part of the server's own
    /// (<c>PATH</c>, <c>HOME</c>, locale, proxies, tool settings). MSBuild's variables are left out
    /// on purpose: inherited from a parent build they break a nested <c>dotnet publish</c>.
    /// </summary>
    public static Dictionary<string, string> BaseEnvironment()
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

    /// <summary>Runs the step to its end and answers its exit code; on cancellation kills its process group and throws.</summary>
    public static async Task<int> RunAsync(StepSpec spec, Action<string, bool> onLine, CancellationToken ct)
    {
        var start = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = spec.WorkingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(spec.File);
        foreach (var argument in spec.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var (name, value) in spec.Environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {spec.File}.");
        process.StandardInput.Close();
        var stdout = PumpAsync(process.StandardOutput, line => onLine(line, false));
        var stderr = PumpAsync(process.StandardError, line => onLine(line, true));
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            KillGroup(process.Id);
            await process.WaitForExitAsync(CancellationToken.None);
            throw;
        }
        finally
        {
            // Whatever the step left running in the background goes with it, and so its pipes close.
            KillGroup(process.Id);
            await DrainAsync(stdout, stderr);
        }

        return process.ExitCode;
    }

    /// <summary>Runs a step and answers its exit code and its stdout; stderr lines go to <paramref name="onError"/>.</summary>
    public static async Task<(int ExitCode, List<string> Stdout)> CaptureAsync(StepSpec spec, Action<string> onError, CancellationToken ct)
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

    private static async Task PumpAsync(StreamReader reader, Action<string> onLine)
    {
        try
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                onLine(line);
            }
        }
        catch (IOException)
        {
            // The pipe broke because the group was killed: what arrived was handed on.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static async Task DrainAsync(Task stdout, Task stderr)
    {
        try
        {
            await Task.WhenAll(stdout, stderr).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            // A process that escaped the group (setsid of its own) still holds the pipe; stop waiting for it.
        }
    }

    private static void KillGroup(int processGroup) => ProcessGroups.Signal(processGroup, ProcessGroups.SigKill);
}
