namespace Slipway.Server.Runtime;

/// <summary>
/// Wakes the <see cref="Deployer"/>'s scan before its next round: several servers on PostgreSQL tell
/// an app's owner at once (<c>NOTIFY</c> on <see cref="Channel"/>, heard by the route feed) that a
/// release it should deploy was made on another server, instead of leaving it to the periodic scan.
/// </summary>
public sealed class DeployWakeup
{
    public const string Channel = "slipway_deploys";

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
