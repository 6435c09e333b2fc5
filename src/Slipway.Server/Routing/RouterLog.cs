using System.Globalization;
using System.Threading.Channels;
using Slipway.Server.Logs;

namespace Slipway.Server.Routing;

/// <summary>
/// The router's per-request lines in the app's log (<c>slipway[router]</c>), Heroku-style:
/// <c>at=info method=GET path=/ host=… status=200 bytes=… service=3ms</c>. A request only drops
/// a small record into a bounded channel; one background loop formats the lines and appends them
/// in batches, so the request path neither formats nor takes the log's lock. When the loop falls
/// behind by <see cref="Capacity"/> records, new ones are dropped rather than slowing requests.
/// </summary>
public sealed class RouterLog(AppLogStore logs) : IAsyncDisposable
{
    public const string Source = "slipway[router]";

    private const int Capacity = 16_384;

    private readonly Channel<Entry> _entries = Channel.CreateBounded<Entry>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    private Task? _writing;

    public void Start() => _writing ??= Task.Run(WriteAsync);

    /// <summary>Records one forwarded request; never blocks.</summary>
    public void Served(Guid appId, HttpRequest request, string host, HttpResponse response, long startTimestamp) =>
        _entries.Writer.TryWrite(new Entry(appId, request.Method, request.Path.Value, request.QueryString.Value, host, response.StatusCode, response.ContentLength ?? 0, startTimestamp, System.Diagnostics.Stopwatch.GetTimestamp()));

    /// <summary>The line of one request, as it appears in the app's log; <c>bytes</c> is the response's Content-Length.</summary>
    public static string Line(string method, string? path, string? query, string host, int status, long bytes, TimeSpan service) =>
        string.Create(CultureInfo.InvariantCulture, $"at=info method={method} path={(string.IsNullOrEmpty(path) ? "/" : path)}{query} host={host} status={status} bytes={bytes} service={(long)service.TotalMilliseconds}ms");

    public async ValueTask DisposeAsync()
    {
        _entries.Writer.TryComplete();
        if (_writing is not null)
        {
            await _writing;
        }
    }

    private async Task WriteAsync()
    {
        var reader = _entries.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var entry))
            {
                var service = System.Diagnostics.Stopwatch.GetElapsedTime(entry.Started, entry.Ended);
                logs.Append(entry.AppId, Source, Line(entry.Method, entry.Path, entry.Query, entry.Host, entry.Status, entry.Bytes, service));
            }
        }
    }

    private readonly record struct Entry(Guid AppId, string Method, string? Path, string? Query, string Host, int Status, long Bytes, long Started, long Ended);
}
