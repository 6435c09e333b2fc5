namespace Slipway.TestSupport;

/// <summary>
/// The clock of a test server: the real time, plus however far a test has moved it on with
/// <see cref="Advance"/>. Only the time read is moved; timers and timestamps stay real, so the
/// server's background work (heartbeats, lease renewals, polls) keeps running, which a frozen
/// fake clock would stop. Tests of one class share the server and its clock, and run one at a time.
/// </summary>
public sealed class TestClock : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    /// <summary>Moves the time read forward, as if <paramref name="by"/> had passed.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _offsetTicks, by.Ticks);
    }
}
