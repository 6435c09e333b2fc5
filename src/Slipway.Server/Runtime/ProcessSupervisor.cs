using System.Diagnostics;

namespace Slipway.Server.Runtime;

/// <summary>
/// Runs one <see cref="ProcessSpec"/> as <c>/bin/sh -c "&lt;command&gt;"</c> in a process group of its
/// own (started through <c>setsid</c>, so its pgid is its pid), hands every output line to a sink,
/// and owns the whole group: stopping it stops everything the command forked.
/// </summary>
public sealed class ProcessSupervisor
{
    private const string SetsidPath = "/usr/bin/setsid";

    /// <summary>
    /// Heroku's convention: scripts a buildpack leaves in <c>.profile.d/</c> (PYTHONPATH, PATH and
    /// the like) are sourced before the command runs.
    /// </summary>
    private const string SourceProfile = "for f in .profile.d/*.sh; do [ -r \"$f\" ] && . \"./$f\"; done; ";

    private readonly Process _process;
    private readonly Task _output;
    private int _stopping;

    private ProcessSupervisor(Process process, Task output)
    {
        _process = process;
        _output = output;
        Pgid = process.Id;
        Exited = WaitAsync();
    }

    public int Pgid { get; }

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>Completes with the exit status when the command's main process ends (128+N when killed by signal N).</summary>
    public Task<int> Exited { get; }

    /// <summary>True once <see cref="StopAsync"/> was called: an exit after that is not a crash.</summary>
    public bool Stopping => Volatile.Read(ref _stopping) == 1;

    /// <summary>Starts the command; <paramref name="onLine"/> gets each line of stdout and stderr, from any thread.</summary>
    public static ProcessSupervisor Start(ProcessSpec spec, Action<string> onLine)
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
        start.ArgumentList.Add("/bin/sh");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(SourceProfile + spec.Command);
        start.Environment.Clear();
        foreach (var (key, value) in spec.Environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {spec.DynoName}.");

        // The app reads end-of-file on stdin instead of the server's terminal.
        process.StandardInput.Close();
        var output = Task.WhenAll(PumpAsync(process.StandardOutput, onLine), PumpAsync(process.StandardError, onLine));
        return new ProcessSupervisor(process, output);
    }

    /// <summary>SIGTERM to the group, <paramref name="grace"/>, then SIGKILL; returns once nothing of the group is left.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        Interlocked.Exchange(ref _stopping, 1);
        await ProcessGroups.TerminateAsync(Pgid, grace);
        await Exited;
    }

    /// <summary>Kills whatever the command left behind in its group after its main process ended.</summary>
    public Task KillLeftoversAsync() => ProcessGroups.TerminateAsync(Pgid, TimeSpan.Zero);

    private async Task<int> WaitAsync()
    {
        await _process.WaitForExitAsync();
        var status = _process.ExitCode;

        // Output still buffered in the pipes belongs to this run; children that keep the pipes open are killed by the caller.
        await Task.WhenAny(_output, Task.Delay(TimeSpan.FromMilliseconds(200)));
        _process.Dispose();
        return status;
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
            // The pipe broke because the group was killed: there is nothing more to read.
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
