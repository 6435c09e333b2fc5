using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Server.Data;
using Slipway.Server.Jobs;

namespace Slipway.Server.Hooks;

/// <summary>
/// Sends the webhook outbox (<see cref="HookDelivery"/>): each due delivery is claimed through a
/// <see cref="Leases">lease</see> (several servers on one database send it once), POSTed with its
/// signatures, without following redirects and within <see cref="HookOptions.Timeout"/>, and the
/// attempt is recorded. A failure that may pass (no answer, 408, 429, 5xx) is retried with exponential
/// backoff until <see cref="HookOptions.RetryFor"/> has passed since the event; any other answer is final.
/// Deliveries run on the one job engine (<see cref="JobQueue{TJob}"/>), keyed by hook: a hook gets
/// its events one at a time, in order, and at most <see cref="HookOptions.Concurrency"/> are sent at
/// once, so a receiver that hangs holds its own lane until its timeout and delays no other hook,
/// and no release: releases only write rows.
/// </summary>
public sealed partial class HookDeliverer(
    IDbContextFactory<SlipwayDb> dbs,
    HookEvents events,
    Leases leases,
    TimeProvider clock,
    IOptions<HookOptions> options,
    ILogger<HookDeliverer> logger) : BackgroundService
{
    public const string EventHeader = "x-akkeris-event";
    public const string SignatureHeader = "x-akkeris-signature";
    public const string Signature256Header = "x-slipway-signature-256";
    public const string DeliveryHeader = "x-slipway-delivery";

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectTimeout = options.Value.Timeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };

    private readonly JobQueue<HookDeliveryJob> _jobs = new(new JobLimits(options.Value.Concurrency * 16, options.Value.Concurrency), logger);

    /// <summary>How often deliveries older than <see cref="HookOptions.Keep"/> are removed.</summary>
    private static readonly TimeSpan CleanUpInterval = TimeSpan.FromMinutes(10);

    private DateTimeOffset _nextCleanUp = DateTimeOffset.MinValue;

    /// <summary>The deliveries queued or being sent here, so that a scan does not queue one twice.</summary>
    private readonly ConcurrentDictionary<Guid, byte> _queued = new();

    /// <summary>The headers a delivery is sent with (besides the content type): its event, its id and both signatures of its body.</summary>
    public static Dictionary<string, string> HeadersOf(HookDelivery delivery)
    {
        var key = Encoding.UTF8.GetBytes(delivery.Secret);
        var body = Encoding.UTF8.GetBytes(delivery.Body);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [EventHeader] = delivery.Event,
            [DeliveryHeader] = delivery.Id.ToString(),
            [SignatureHeader] = "sha1=" + Convert.ToHexStringLower(HMACSHA1.HashData(key, body)),
            [Signature256Header] = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(key, body)),
        };
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Attempts cut short by the stop are not recorded: their deliveries stay due and are sent after the next start.
        var running = _jobs.RunAsync(RunAsync, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await QueueDueAsync(stoppingToken);
                await CleanUpAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // The outbox keeps what is due (the database may be briefly away); the next round looks again.
                LogScanFailed(e);
            }

            try
            {
                await events.WaitForRaisedAsync(options.Value.Poll, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await running;
    }

    /// <summary>Queues the due deliveries not queued here yet, each in its hook's lane, while the queue has room; the rest wait in the outbox.</summary>
    private async Task QueueDueAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var due = await db.HookDeliveries.AsNoTracking()
            .Where(d => d.State == HookDeliveryState.Pending && d.NextAttemptAt <= now)
            .OrderBy(d => d.NextAttemptAt).ThenBy(d => d.CreatedAt)
            .Select(d => new { d.Id, d.HookId })
            .Take(_jobs.Limits.Capacity)
            .ToListAsync(ct);
        foreach (var delivery in due)
        {
            if (!_queued.TryAdd(delivery.Id, 0))
            {
                continue;
            }

            if (!_jobs.TryEnqueue(new HookDeliveryJob(delivery.HookId, delivery.Id)))
            {
                _queued.TryRemove(delivery.Id, out _);
                return;
            }
        }
    }

    /// <summary>Every <see cref="CleanUpInterval"/>: removes the deliveries that ended longer than <see cref="HookOptions.Keep"/> ago, with their attempts.</summary>
    private async Task CleanUpAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (now < _nextCleanUp)
        {
            return;
        }

        _nextCleanUp = now + CleanUpInterval;
        var before = now - options.Value.Keep;
        await using var db = await dbs.CreateDbContextAsync(ct);
        await db.HookDeliveries.Where(d => d.State != HookDeliveryState.Pending && d.UpdatedAt < before).ExecuteDeleteAsync(ct);
    }

    private async Task RunAsync(HookDeliveryJob job, CancellationToken ct)
    {
        try
        {
            await DeliverAsync(job.DeliveryId, ct);
        }
        finally
        {
            _queued.TryRemove(job.DeliveryId, out _);
        }
    }

    private async Task DeliverAsync(Guid id, CancellationToken ct)
    {
        var scope = $"hook-delivery:{id}";
        if (!await leases.TryClaimAsync(scope, options.Value.Timeout + TimeSpan.FromMinutes(1), ct))
        {
            return;
        }

        try
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            var delivery = await db.HookDeliveries.FirstOrDefaultAsync(d => d.Id == id, ct);

            // Read after the claim: another server may have sent it (and let go) since it was found due.
            if (delivery is null || delivery.State != HookDeliveryState.Pending || delivery.NextAttemptAt > clock.GetUtcNow())
            {
                return;
            }

            var startedAt = clock.GetUtcNow();
            var started = clock.GetTimestamp();
            var (code, error, headers) = await SendAsync(delivery, ct);
            var duration = clock.GetElapsedTime(started);
            var now = clock.GetUtcNow();
            var delivered = code is >= 200 and < 300;
            DateTimeOffset? retryAt = null;
            if (!delivered && (code is null or 408 or 429 or >= 500))
            {
                var next = now + options.Value.BackoffAfter(delivery.Attempts + 1);
                retryAt = next <= delivery.CreatedAt + options.Value.RetryFor ? next : null;
            }

            db.HookAttempts.Add(HookAttempt.Create(delivery, code, error, headers, duration, startedAt));
            delivery.Record(delivered, retryAt, now);
            await db.SaveChangesAsync(CancellationToken.None);
            LogAttempt(delivery.Event, delivery.Id, HookUrl.Show(delivery.Url), code?.ToString() ?? error ?? "", delivery.State);

            // An event that outlived its hook (an app's destroy) leaves nothing behind once it is done with.
            if (delivery.State != HookDeliveryState.Pending && !await db.AppHooks.AnyAsync(h => h.Id == delivery.HookId, CancellationToken.None))
            {
                await db.HookDeliveries.Where(d => d.Id == delivery.Id).ExecuteDeleteAsync(CancellationToken.None);
            }
        }
        finally
        {
            await leases.GiveUpAsync(scope);
        }
    }

    /// <summary>One POST: the status code and response headers, or the reason there was no answer.</summary>
    private async Task<(int? Code, string? Error, Dictionary<string, string> Headers)> SendAsync(HookDelivery delivery, CancellationToken ct)
    {
        var (target, authorization) = HookUrl.Split(delivery.Url);
        using var request = new HttpRequestMessage(HttpMethod.Post, target)
        {
            Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = authorization;
        request.Headers.UserAgent.ParseAdd("Slipway-Hooks/1");
        foreach (var (name, value) in HeadersOf(delivery))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.Timeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var headers = response.Headers.Concat(response.Content.Headers)
                .Take(64)
                .ToDictionary(h => h.Key.ToLowerInvariant(), h => Truncate(string.Join(", ", h.Value), 1024), StringComparer.Ordinal);
            return ((int)response.StatusCode, null, headers);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, $"No answer within {options.Value.TimeoutSeconds:0.###} seconds.", []);
        }
        catch (HttpRequestException e)
        {
            return (null, e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message, []);
        }
    }

    private static string Truncate(string value, int max) => value.Length > max ? value[..max] : value;

    [LoggerMessage(Level = LogLevel.Information, Message = "Hook delivery {DeliveryId} ({Event}) to {Url}: {Result}, now {State}")]
    private partial void LogAttempt(string @event, Guid deliveryId, string url, string result, HookDeliveryState state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not look for due hook deliveries")]
    private partial void LogScanFailed(Exception exception);
}

/// <summary>Sending one outbox row; keyed by its hook, so one hook's deliveries go one at a time, in order.</summary>
public sealed class HookDeliveryJob(Guid hookId, Guid deliveryId) : Job(hookId)
{
    public Guid DeliveryId { get; } = deliveryId;
}
