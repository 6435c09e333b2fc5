using System.Net.Sockets;
using Slipway.Server.Logs;
using Slipway.Server.Routing;

namespace Slipway.Server.Runtime;

/// <summary>What a dyno needs from its runtime, fixed for its whole life.</summary>
internal sealed record DynoContext(
    Guid AppId,
    AppLogStore Logs,
    ProcessRegistry Registry,
    ProcessLauncher Launcher,
    RuntimeOptions Options,
    string? HealthCheckPath,
    TimeSpan BootTimeout,
    TimeProvider Clock,
    Action<Dyno> Changed);

/// <summary>
/// One process of an app's formation (<c>web.1</c>) over its whole life: started from its
/// <see cref="ProcessSpec"/> (web processes listen on <see cref="Port"/>), watched until it is up, restarted with growing backoff when it exits,
/// shown as crashed (since the first crash in a row) while it keeps failing, stopped on request.
/// </summary>
internal sealed class Dyno
{
    /// <summary>A process without a port to check is up once it has stayed running this long.</summary>
    private static readonly TimeSpan NonWebSettle = TimeSpan.FromSeconds(1);

    private static readonly HttpClient HealthClient = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
    {
        Timeout = TimeSpan.FromSeconds(2),
    };

    private readonly DynoContext _context;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<string?> _booted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private readonly Queue<string> _tail = new();
    private ProcessSupervisor? _process;
    private Task _loop = Task.CompletedTask;

    public Dyno(string type, int index, int releaseVersion, int port, ProcessSpec spec, DynoContext context)
    {
        Type = type;
        Index = index;
        ReleaseVersion = releaseVersion;
        Port = port;
        Spec = spec;
        _context = context;
        Destination = type == ReleaseSpec.WebType ? new Destination(Name, port) : null;
        Since = context.Clock.GetUtcNow();
        CreatedAt = Since;
    }

    public string Type { get; }

    public int Index { get; }

    public string Name => $"{Type}.{Index}";

    public int ReleaseVersion { get; }

    public int Port { get; }

    public ProcessSpec Spec { get; }

    /// <summary>Where the router sends this web process's requests; null for other types.</summary>
    public Destination? Destination { get; }

    public DynoState State { get; private set; } = DynoState.Starting;

    public DateTimeOffset Since { get; private set; }

    public DateTimeOffset CreatedAt { get; }

    public int Restarts { get; private set; }

    /// <summary>Whether the router may send it traffic when it is up: false while its release is still being deployed.</summary>
    public bool Routed { get; set; }

    /// <summary>The first start's outcome: null once up, otherwise why it never came up.</summary>
    public Task<string?> Booted => _booted.Task;

    public DynoStatus Status => new(Name, Type, State, Since, ReleaseVersion, Spec.Command, Restarts, CreatedAt);

    /// <summary>Its last lines of output (<see cref="Runtime.FailureLog"/>'s bounds), to say why it did not come up.</summary>
    public string? FailureLog()
    {
        lock (_tail)
        {
            return Runtime.FailureLog.Of([.. _tail]);
        }
    }

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>Stops the process group (SIGTERM, grace, SIGKILL) and the restart loop.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        ProcessSupervisor? process;
        lock (_gate)
        {
            _stop.Cancel();
            process = _process;
        }

        if (process is not null)
        {
            await process.StopAsync(grace);
        }

        await _loop;
        _booted.TrySetResult($"{Name} was stopped before it was up.");
    }

    private async Task RunAsync()
    {
        var crashesInARow = 0;
        while (!_stop.IsCancellationRequested)
        {
            ProcessSupervisor? process = null;
            var startedAt = 0L;
            string? failure = null;
            lock (_gate)
            {
                if (_stop.IsCancellationRequested)
                {
                    break;
                }

                try
                {
                    Log($"Starting process with command `{Spec.Command}`");
                    process = _context.Launcher.Start(Spec, (line, _) => Output(line));
                    startedAt = _context.Clock.GetTimestamp();
                    _process = process;
                }
                catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
                {
                    failure = $"{Name} could not be started: {e.Message}";
                }
            }

            if (process is null)
            {
                _booted.TrySetResult(failure);
                Log(failure!);
                SetState(DynoState.Crashed, crashesInARow == 0);
                crashesInARow++;
                if (!await BackoffAsync(crashesInARow))
                {
                    break;
                }

                continue;
            }

            _context.Registry.Track(process.Pgid);
            if (crashesInARow == 0)
            {
                SetState(DynoState.Starting, true);
            }

            var problem = await WaitUntilUpAsync(process);
            if (problem is null)
            {
                SetState(DynoState.Up, true);
                _booted.TrySetResult(null);
            }
            else if (!process.Stopping)
            {
                _booted.TrySetResult(problem);
                Log(problem);
                if (!process.Exited.IsCompleted)
                {
                    await process.StopAsync(_context.Options.StopGrace);
                }
            }

            var status = await process.Exited;
            var stopped = process.Stopping || _stop.IsCancellationRequested;
            if (stopped || problem is null)
            {
                Log($"Process exited with status {status}");
            }

            if (!stopped)
            {
                if (problem is null && _context.Clock.GetElapsedTime(startedAt) > TimeSpan.FromSeconds(_context.Options.CrashResetSeconds))
                {
                    crashesInARow = 0;
                }

                // Out of traffic first, then clean up what the command left in its group.
                SetState(DynoState.Crashed, crashesInARow == 0);
            }

            await process.KillLeftoversAsync();
            _context.Registry.Untrack(process.Pgid);
            if (stopped)
            {
                break;
            }

            crashesInARow++;
            if (!await BackoffAsync(crashesInARow))
            {
                break;
            }

            Restarts++;
        }
    }

    /// <summary>Null once the process is up; otherwise why it did not come up within the boot timeout.</summary>
    private async Task<string?> WaitUntilUpAsync(ProcessSupervisor process)
    {
        var started = _context.Clock.GetTimestamp();
        var isWeb = Type == ReleaseSpec.WebType;
        var settle = NonWebSettle < _context.BootTimeout ? NonWebSettle : _context.BootTimeout / 2;
        string? last = null;
        while (true)
        {
            if (process.Exited.IsCompleted)
            {
                return $"{Name} exited with status {await process.Exited} before it was up.";
            }

            if (_stop.IsCancellationRequested)
            {
                return $"{Name} was stopped before it was up.";
            }

            if (!isWeb && _context.Clock.GetElapsedTime(started) >= settle)
            {
                return null;
            }

            if (isWeb)
            {
                (var up, last) = await ProbeAsync(Port, _context.HealthCheckPath, last);
                if (up)
                {
                    return null;
                }
            }

            if (_context.Clock.GetElapsedTime(started) >= _context.BootTimeout)
            {
                var seconds = (int)Math.Ceiling(_context.BootTimeout.TotalSeconds);
                return _context.HealthCheckPath is { } path && last is not null
                    ? $"{Name} did not answer GET {path} with 2xx or 3xx within the boot timeout of {seconds} s (last answer: {last})."
                    : $"{Name} did not accept connections on its PORT ({Port}) within the boot timeout of {seconds} s.";
            }

            await Task.WhenAny(process.Exited, Task.Delay(ProbeInterval(_context.Clock.GetElapsedTime(started)), _stop.Token));
        }
    }

    /// <summary>
    /// How long to wait before probing a booting process again: 5 ms at first (most apps are up within a few
    /// hundred ms, and a probe of a port nobody listens on yet costs one refused connect on loopback), growing
    /// with the time it has taken so far to 50 ms from half a second on.
    /// </summary>
    private static TimeSpan ProbeInterval(TimeSpan booting) =>
        TimeSpan.FromMilliseconds(Math.Clamp(booting.TotalMilliseconds / 10, 5, 50));

    /// <summary>Up when the port accepts a connection and, with a health check path, it answers 2xx or 3xx.</summary>
    private static async Task<(bool Up, string? Last)> ProbeAsync(int port, string? path, string? last)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await socket.ConnectAsync(System.Net.IPAddress.Loopback, port, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return (false, last);
        }

        if (path is null)
        {
            return (true, null);
        }

        try
        {
            using var response = await HealthClient.GetAsync($"http://127.0.0.1:{port}{path}", HttpCompletionOption.ResponseHeadersRead);
            var code = (int)response.StatusCode;
            return (code is >= 200 and < 400, $"{code}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (false, e.Message);
        }
    }

    /// <summary>Waits before the next start; false when the dyno was stopped meanwhile.</summary>
    private async Task<bool> BackoffAsync(int crashesInARow)
    {
        var first = _context.Options.RestartBackoffSeconds;
        var wait = Math.Min(first * Math.Pow(2, Math.Min(crashesInARow - 1, 30)), _context.Options.MaxRestartBackoffSeconds);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(wait), _stop.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void SetState(DynoState state, bool resetSince)
    {
        if (state == State && !resetSince)
        {
            return;
        }

        var previous = State;
        State = state;
        if (resetSince || previous != state)
        {
            Since = _context.Clock.GetUtcNow();
        }

        if (previous != state)
        {
            Log($"State changed from {previous.ToString().ToLowerInvariant()} to {state.ToString().ToLowerInvariant()}");
        }

        _context.Changed(this);
    }

    private void Log(string text) => _context.Logs.Append(_context.AppId, $"slipway[{Name}]", text);

    private void Output(string line)
    {
        _context.Logs.Append(_context.AppId, $"app[{Name}]", line);
        lock (_tail)
        {
            _tail.Enqueue(line);
            if (_tail.Count > Runtime.FailureLog.MaxLines)
            {
                _tail.Dequeue();
            }
        }
    }
}
