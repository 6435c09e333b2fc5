using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;
using Slipway.Server.Logs;

namespace Slipway.Server.Runtime.Kubernetes;

/// <summary>
/// An app's log on Kubernetes: Slipway's own lines for the app (release events) merged by time with
/// its pods' output. A follower watches the app's pods, so it follows every pod a deploy, a scale or a
/// restart brings from the moment its container starts (and again after each container restart), the
/// stream of a pod that is gone ends, and a stream the API server dropped is picked up where it stopped.
/// </summary>
public sealed partial class KubernetesLogs(
    IKubernetes client,
    KubernetesNamespaces namespaces,
    AppLogStore logs,
    IOptions<KubernetesOptions> options,
    TimeProvider clock,
    ILogger<KubernetesLogs> logger)
{
    /// <summary>
    /// How long one watch of the pods lasts before it is made again (the API server's own limit is 30 to 60
    /// minutes). Shorter, because a connection that died without a word would otherwise leave the watch
    /// waiting for ever, which the client side ends a little after.
    /// </summary>
    private static readonly TimeSpan WatchTimeout = TimeSpan.FromMinutes(5);

    /// <summary>The app's last <paramref name="lines"/> lines, then new ones while <paramref name="follow"/>.</summary>
    public async IAsyncEnumerable<LogLine> ReadAsync(Guid appId, int lines, bool follow, [EnumeratorCancellation] CancellationToken ct)
    {
        var ns = await namespaces.OfAsync(appId, ct);
        var pods = ns is null ? null : await KubernetesDynos.ListAsync(client, appId, ns, ct);
        var recent = new List<LogLine>();
        await foreach (var line in logs.ReadAsync(appId, lines, follow: false, ct))
        {
            recent.Add(line);
        }

        foreach (var pod in pods?.Items ?? [])
        {
            recent.AddRange(await ReadPodLogAsync(pod, ns!, lines, ct));
        }

        foreach (var line in recent.OrderBy(l => l.Time).TakeLast(lines))
        {
            yield return line;
        }

        if (!follow)
        {
            yield break;
        }

        var merged = Channel.CreateUnbounded<LogLine>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task[] pumps =
        [
            Task.Run(
                async () =>
                {
                    await foreach (var line in logs.ReadAsync(appId, 0, follow: true, stop.Token))
                    {
                        await merged.Writer.WriteAsync(line, stop.Token);
                    }
                },
                stop.Token),
            Task.Run(() => FollowPodsAsync(appId, ns, pods, merged.Writer, stop.Token), stop.Token),
        ];
        try
        {
            await foreach (var line in merged.Reader.ReadAllAsync(ct))
            {
                yield return line;
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(pumps.Select(Quietly));
        }
    }

    /// <summary>
    /// Follows the app's pods as they come and go, until cancelled: lists them, then watches for changes
    /// from that list's resource version, and lists again whenever the watch ends. <paramref name="seen"/>
    /// is the list whose recent lines the caller already has: of those containers only new lines count.
    /// </summary>
    private async Task FollowPodsAsync(Guid appId, string? ns, V1PodList? seen, ChannelWriter<LogLine> writer, CancellationToken ct)
    {
        var alreadyRead = (seen?.Items ?? []).Where(HasStarted).ToDictionary(p => p.Metadata.Name, RestartsOf, StringComparer.Ordinal);
        var streams = new Dictionary<string, PodStream>(StringComparer.Ordinal);
        var ended = new List<PodStream>();

        void Follow(V1Pod pod, string podNamespace)
        {
            var name = pod.Metadata.Name;
            var restarts = RestartsOf(pod);
            if (!HasStarted(pod) || (streams.TryGetValue(name, out var current) && current.Restarts >= restarts))
            {
                return;
            }

            // A restarted container writes a new log: the stream of the run before it has ended or is about to.
            End(name);
            var fromNow = alreadyRead.TryGetValue(name, out var read) && read == restarts;
            var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            streams[name] = new PodStream(restarts, stop, Task.Run(() => StreamPodAsync(pod, podNamespace, restarts, fromNow, writer, stop.Token), stop.Token));
        }

        void End(string name)
        {
            foreach (var done in ended.Where(s => s.Task.IsCompleted).ToList())
            {
                done.Stop.Dispose();
                ended.Remove(done);
            }

            if (streams.Remove(name, out var stream))
            {
                stream.Stop.Cancel();
                ended.Add(stream);
            }
        }

        try
        {
            while (true)
            {
                try
                {
                    ns ??= await namespaces.OfAsync(appId, ct);
                    if (ns is not null)
                    {
                        var list = seen ?? await KubernetesDynos.ListAsync(client, appId, ns, ct);
                        seen = null;
                        foreach (var gone in streams.Keys.Except(list.Items.Select(p => p.Metadata.Name)).ToList())
                        {
                            End(gone);
                        }

                        foreach (var pod in list.Items)
                        {
                            Follow(pod, ns);
                        }

                        using var expired = new CancellationTokenSource(WatchTimeout + TimeSpan.FromSeconds(30), clock);
                        using var watching = CancellationTokenSource.CreateLinkedTokenSource(ct, expired.Token);
                        var changes = client.CoreV1.WatchListNamespacedPodAsync(
                            ns,
                            labelSelector: KubernetesDynos.Selector(appId),
                            resourceVersion: list.Metadata?.ResourceVersion,
                            timeoutSeconds: (int)WatchTimeout.TotalSeconds,
                            cancellationToken: watching.Token);
                        await foreach (var (type, pod) in changes)
                        {
                            if (type == WatchEventType.Deleted)
                            {
                                End(pod.Metadata.Name);
                            }
                            else if (type is WatchEventType.Added or WatchEventType.Modified)
                            {
                                Follow(pod, ns);
                            }
                        }
                    }
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    // The watch outlived its timeout without the API server ending it: made again below.
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    // Whatever broke (the API server went away for a moment, refused the watch), the
                    // follower must not fall silent: list again after a pause.
                    LogWatchFailed(e, appId);
                }

                // A watch also ends normally (the API server closes it after a while): list again and go on.
                await Task.Delay(options.Value.PollInterval, clock, ct);
            }
        }
        finally
        {
            foreach (var name in streams.Keys.ToList())
            {
                End(name);
            }

            await Task.WhenAll(ended.Select(s => Quietly(s.Task)));
            foreach (var stream in ended)
            {
                stream.Stop.Dispose();
            }
        }
    }

    /// <summary>
    /// Follows one run (<paramref name="restarts"/>) of a pod's container, from its start or from about now
    /// (<paramref name="fromNow"/>), until the container stops (its pod goes, or it restarts and the watch
    /// follows its next run) or this is cancelled. A stream the API server drops while the container runs
    /// on is opened again, after the last line given.
    /// </summary>
    private async Task StreamPodAsync(V1Pod pod, string ns, int restarts, bool fromNow, ChannelWriter<LogLine> writer, CancellationToken ct)
    {
        var name = pod.Metadata.Name;
        DateTimeOffset? after = fromNow ? clock.GetUtcNow().AddSeconds(-1) : null;
        while (true)
        {
            try
            {
                // The API takes whole seconds: lines of that second already given are skipped here.
                int? since = after is { } last ? (int)Math.Ceiling((clock.GetUtcNow() - last).TotalSeconds) : null;
                await using var stream = await client.CoreV1.ReadNamespacedPodLogAsync(name, ns, follow: true, sinceSeconds: since, timestamps: true, cancellationToken: ct);
                using var reader = new StreamReader(stream, Encoding.UTF8);
                while (await reader.ReadLineAsync(ct) is { } text)
                {
                    var line = ParseLogLine(pod, text);
                    if (after is null || line.Time > after)
                    {
                        await writer.WriteAsync(line, ct);
                        after = line.Time;
                    }
                }
            }
            catch (Exception e) when (!ct.IsCancellationRequested && e is HttpOperationException or HttpRequestException or IOException)
            {
                // The pod is gone, its container is not running, or the connection dropped: its state says which.
            }

            await Task.Delay(options.Value.PollInterval, clock, ct);
            if (!await RunsOnAsync(name, ns, restarts, ct))
            {
                return;
            }
        }
    }

    /// <summary>Whether the same run of the pod's container still runs; while the API server cannot say, it is asked again.</summary>
    private async Task<bool> RunsOnAsync(string pod, string ns, int restarts, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                var now = await KubernetesCalls.ReadOrNullAsync(() => client.CoreV1.ReadNamespacedPodAsync(pod, ns, cancellationToken: ct));
                return now is not null && now.Metadata.DeletionTimestamp is null && RestartsOf(now) == restarts && IsRunning(now);
            }
            catch (Exception e) when (!ct.IsCancellationRequested && e is HttpOperationException or HttpRequestException or IOException)
            {
                await Task.Delay(options.Value.PollInterval, clock, ct);
            }
        }
    }

    private async Task<List<LogLine>> ReadPodLogAsync(V1Pod pod, string ns, int lines, CancellationToken ct)
    {
        try
        {
            await using var stream = await client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, ns, tailLines: lines, timestamps: true, cancellationToken: ct);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var result = new List<LogLine>();
            while (await reader.ReadLineAsync(ct) is { } text)
            {
                result.Add(ParseLogLine(pod, text));
            }

            return result;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest)
        {
            // The pod is gone or its container has not started: it has nothing to say yet.
            return [];
        }
    }

    /// <summary>A line of <c>kubectl logs --timestamps</c>: <c>2026-11-27T14:03:05.123456789Z text</c>.</summary>
    private LogLine ParseLogLine(V1Pod pod, string text)
    {
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        var source = $"app[{KubernetesDynos.NameOf(pod)}]";
        if (space > 0 && DateTimeOffset.TryParse(text[..space], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return new LogLine(time, source, text[(space + 1)..]);
        }

        return new LogLine(clock.GetUtcNow(), source, text);
    }

    /// <summary>Whether the pod's container has started, so that it has a log to follow.</summary>
    private static bool HasStarted(V1Pod pod) =>
        pod.Status?.ContainerStatuses?.FirstOrDefault()?.State is { } state && (state.Running is not null || state.Terminated is not null);

    private static bool IsRunning(V1Pod pod) => pod.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Running is not null;

    /// <summary>Which run of the pod's container this is: each restart writes a new log.</summary>
    private static int RestartsOf(V1Pod pod) => pod.Status?.ContainerStatuses?.FirstOrDefault()?.RestartCount ?? 0;

    /// <summary>A task's end, whatever it was: the pumps' failures and cancellations are theirs to keep.</summary>
    private static Task Quietly(Task task) =>
        task.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching the pods of app {AppId} for its log failed; listing them again")]
    private partial void LogWatchFailed(Exception exception, Guid appId);

    /// <summary>The stream of one run (<see cref="Restarts"/>) of a pod's container.</summary>
    private sealed record PodStream(int Restarts, CancellationTokenSource Stop, Task Task);
}
