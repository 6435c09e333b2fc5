using System.Diagnostics;

namespace Slipway.Server.Runtime;

/// <summary>
/// A process started by <see cref="ProcessLauncher.StartPiped"/> whose stdin and stdout are raw
/// byte streams the caller feeds and reads (a CGI program such as <c>git http-backend</c>);
/// stderr comes line by line. It leads its own process group like every other process, and
/// disposing it kills whatever of that group is left.
/// </summary>
public sealed class PipedProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TimeProvider _clock;
    private readonly Task _errors;

    internal PipedProcess(Process process, Action<string> onError, TimeProvider clock)
    {
        _process = process;
        _clock = clock;
        Pgid = process.Id;
        _errors = PumpAsync(process.StandardError, onError);
    }

    public int Pgid { get; }

    /// <summary>What the process reads; close it (dispose) to give it end-of-file.</summary>
    public Stream Input => _process.StandardInput.BaseStream;

    /// <summary>What the process writes, as bytes.</summary>
    public Stream Output => _process.StandardOutput.BaseStream;

    /// <summary>Waits for the main process to end and answers its exit status.</summary>
    public async Task<int> WaitAsync(CancellationToken ct)
    {
        await _process.WaitForExitAsync(ct);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await ProcessGroups.TerminateAsync(Pgid, TimeSpan.Zero, _clock);
        await Task.WhenAny(_errors, Task.Delay(TimeSpan.FromSeconds(1), _clock));
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
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The group was killed: nothing more to read.
        }
    }
}
