using System.Diagnostics;

namespace Slipway.Server.Runtime;

/// <summary>
/// A process started by the <see cref="ProcessLauncher"/>, and the whole process group it leads
/// (its pgid is its pid): its output, its exit, and stopping everything the command forked.
/// </summary>
public sealed class ProcessSupervisor
{
    /// <summary>How long the output still in the pipes may take to arrive once the process has exited.</summary>
    private static readonly TimeSpan OutputSettle = TimeSpan.FromMilliseconds(200);

    /// <summary>How long the pipes are read after the exit before they are closed: long enough for the caller to kill the leftovers that hold them.</summary>
    private static readonly TimeSpan OutputLimit = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly TimeProvider _clock;
    private int _stopping;

    internal ProcessSupervisor(Process process, Action<string, bool> onLine, TimeProvider clock)
    {
        _process = process;
        _clock = clock;
        Pgid = process.Id;
        StartedAt = clock.GetUtcNow();
        var pumps = Task.WhenAll(PumpAsync(process.StandardOutput, line => onLine(line, false)), PumpAsync(process.StandardError, line => onLine(line, true)));
        Exited = WaitAsync(pumps);
        OutputEnded = EndOutputAsync(pumps);
    }

    public int Pgid { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>Completes with the exit status when the command's main process ends (128+N when killed by signal N).</summary>
    public Task<int> Exited { get; }

    /// <summary>Completes once the output is over: stdout and stderr closed and every line handed on, or the pipes given up on some seconds after the exit.</summary>
    public Task OutputEnded { get; }

    /// <summary>True once <see cref="StopAsync"/> was called: an exit after that is not a crash.</summary>
    public bool Stopping => Volatile.Read(ref _stopping) == 1;

    /// <summary>SIGTERM to the group, <paramref name="grace"/>, then SIGKILL; returns once nothing of the group is left.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        Interlocked.Exchange(ref _stopping, 1);
        await ProcessGroups.TerminateAsync(Pgid, grace, _clock);
        await Exited;
    }

    /// <summary>Kills whatever the command left behind in its group after its main process ended.</summary>
    public Task KillLeftoversAsync() => ProcessGroups.TerminateAsync(Pgid, TimeSpan.Zero, _clock);

    private async Task<int> WaitAsync(Task pumps)
    {
        await _process.WaitForExitAsync();
        var status = _process.ExitCode;

        // Output still buffered in the pipes belongs to this run; children that keep the pipes open are killed by the caller.
        await Task.WhenAny(pumps, Task.Delay(OutputSettle, _clock));
        return status;
    }

    private async Task EndOutputAsync(Task pumps)
    {
        await Exited;

        // A process that escaped the group (a setsid of its own) may hold the pipes forever: they are closed then.
        await Task.WhenAny(pumps, Task.Delay(OutputLimit, _clock));
        _process.Dispose();
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
