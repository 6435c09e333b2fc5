namespace Slipway.Server.Runtime;

/// <summary>
/// Wakes the <see cref="Deployer"/>'s scan before its next round: several servers on PostgreSQL tell
/// an app's owner at once (<c>NOTIFY</c> on <see cref="Channel"/>, heard by the route feed) that a
/// release it should deploy was made on another server, instead of leaving it to the periodic scan.
/// A restart asked of another server reaches the owner the same way (<see cref="RestartChannel"/>).
/// </summary>
public sealed class DeployWakeup
{
    public const string Channel = "slipway_deploys";

    public const string RestartChannel = "slipway_restarts";

    /// <summary>A peer asked for a restart of an app (its id) and target (null: every process); the owner's deployer handles it.</summary>
    public event Action<Guid, string?>? RestartRequested;

    /// <summary>Hands on a restart request heard from a peer: <c>&lt;app id&gt;</c> or <c>&lt;app id&gt; &lt;target&gt;</c>.</summary>
    public void RequestRestart(string payload)
    {
        var parts = payload.Split(' ', 2);
        if (Guid.TryParse(parts[0], out var appId))
        {
            RestartRequested?.Invoke(appId, parts.Length > 1 ? parts[1] : null);
        }
    }

    /// <summary>The payload <see cref="RequestRestart"/> reads.</summary>
    public static string RestartPayload(Guid appId, string? target) => target is null ? $"{appId:N}" : $"{appId:N} {target}";

    private readonly SemaphoreSlim _signal = new(0);

    public void Wake() => _signal.Release();

    /// <summary>Waits until woken or <paramref name="interval"/> has passed; wake-ups that came meanwhile count once.</summary>
    public async Task WaitAsync(TimeSpan interval, TimeProvider clock, CancellationToken ct)
    {
        using (var poll = new CancellationTokenSource(interval, clock))
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(poll.Token, ct))
        {
            try
            {
                await _signal.WaitAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
            }
        }

        while (_signal.CurrentCount > 0)
        {
            await _signal.WaitAsync(ct);
        }
    }
}
