using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Slipway.Server.Runtime;

namespace Slipway.Server.Logs;

/// <summary>One line of an app's log: when, from where (<c>app[web.1]</c>, <c>slipway[router]</c>) and what.</summary>
public sealed record LogLine(DateTimeOffset Time, string Source, string Text)
{
    /// <summary>Heroku's log format: <c>2026-11-27T14:03:05.123456+00:00 app[web.1]: text</c>.</summary>
    public override string ToString() => $"{Time.UtcDateTime:yyyy-MM-ddTHH:mm:ss.ffffff}+00:00 {Source}: {Text}";
}

/// <summary>
/// The last lines of each app's log, kept in memory (a bounded ring per app), and live followers.
/// Process output, router errors and release events all land here.
/// </summary>
public sealed class AppLogStore(IOptions<RuntimeOptions> options, TimeProvider clock)
{
    public const int MaxLineChars = 8 * 1024;

    /// <summary>What a follower may fall behind by before its oldest unread lines are dropped.</summary>
    private const int FollowerBuffer = 10_000;

    private readonly ConcurrentDictionary<Guid, AppLog> _apps = new();

    public void Append(Guid appId, string source, string text)
    {
        if (text.Length > MaxLineChars)
        {
            text = string.Concat(text.AsSpan(0, MaxLineChars), "…");
        }

        var line = new LogLine(clock.GetUtcNow(), source, text);
        var log = _apps.GetOrAdd(appId, _ => new AppLog());
        lock (log)
        {
            log.Lines.Enqueue(line);
            while (log.Lines.Count > options.Value.LogLinesPerApp)
            {
                log.Lines.Dequeue();
            }

            foreach (var follower in log.Followers)
            {
                follower.Writer.TryWrite(line);
            }
        }
    }

    /// <summary>The last <paramref name="lines"/> lines, then (when <paramref name="follow"/>) every new line until cancelled.</summary>
    public async IAsyncEnumerable<LogLine> ReadAsync(Guid appId, int lines, bool follow, [EnumeratorCancellation] CancellationToken ct)
    {
        var log = _apps.GetOrAdd(appId, _ => new AppLog());
        Channel<LogLine>? follower = null;
        LogLine[] recent;
        lock (log)
        {
            recent = [.. log.Lines.Skip(Math.Max(0, log.Lines.Count - lines))];
            if (follow)
            {
                follower = Channel.CreateBounded<LogLine>(new BoundedChannelOptions(FollowerBuffer) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
                log.Followers.Add(follower);
            }
        }

        try
        {
            foreach (var line in recent)
            {
                yield return line;
            }

            if (follower is null)
            {
                yield break;
            }

            while (await follower.Reader.WaitToReadAsync(ct))
            {
                while (follower.Reader.TryRead(out var line))
                {
                    yield return line;
                }
            }
        }
        finally
        {
            if (follower is not null)
            {
                lock (log)
                {
                    log.Followers.Remove(follower);
                }

                follower.Writer.TryComplete();
            }
        }
    }

    /// <summary>Forgets a destroyed app's lines and ends its followers.</summary>
    public void Remove(Guid appId)
    {
        if (_apps.TryRemove(appId, out var log))
        {
            lock (log)
            {
                foreach (var follower in log.Followers)
                {
                    follower.Writer.TryComplete();
                }
            }
        }
    }

    private sealed class AppLog
    {
        public Queue<LogLine> Lines { get; } = new();

        public List<Channel<LogLine>> Followers { get; } = [];
    }
}
