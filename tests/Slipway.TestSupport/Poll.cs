using System.Diagnostics;

namespace Slipway.TestSupport;

/// <summary>
/// Waits for a condition with a deadline, never for a fixed time: the server's work (deploys,
/// builds, add-ons) finishes in the background, and a test stops waiting as soon as it is done.
/// </summary>
public static class Poll
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Reads until <paramref name="done"/> holds for what was read and answers it; fails at the deadline with <paramref name="failure"/> of the last read.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, Func<T, string> failure, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Default;
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (waited.Elapsed > limit)
            {
                Assert.Fail(failure(value));
            }

            await Task.Delay(Interval);
        }
    }

    public static Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(condition, done => done, _ => $"Timed out after {(timeout ?? Default).TotalSeconds} s waiting for: {what}", timeout);

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeout);
}
