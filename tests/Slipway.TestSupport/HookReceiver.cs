using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Slipway.TestSupport;

/// <summary>
/// A real HTTP server on 127.0.0.1 that receives webhook deliveries and keeps each one (path,
/// headers, body). Each <see cref="Url"/> is a fresh path; what a path answers can be changed while
/// the test runs: a status (<see cref="Answer"/>), a redirect, or a hang until the test lets go.
/// </summary>
public sealed class HookReceiver : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, int> _statuses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _redirects = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _hanging = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _letGo = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<ReceivedHook> _received = new();
    private int _inProgress;
    private WebApplication _app = null!;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Requests a hanging path is holding now.</summary>
    public int Hanging => Volatile.Read(ref _inProgress);

    public static async Task<HookReceiver> StartAsync()
    {
        var receiver = new HookReceiver();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        receiver._app = app;
        receiver.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return receiver;
    }

    /// <summary>A fresh path that answers 200 until told otherwise.</summary>
    public string Url(string name = "hook") => new Uri(BaseAddress, $"/{name}/{Guid.NewGuid():N}").ToString();

    /// <summary>Makes <paramref name="url"/> answer <paramref name="status"/> from now on.</summary>
    public void Answer(string url, int status) => _statuses[PathOf(url)] = status;

    /// <summary>Makes <paramref name="url"/> answer 302 to <paramref name="target"/>.</summary>
    public void Redirect(string url, string target) => _redirects[PathOf(url)] = target;

    /// <summary>Makes <paramref name="url"/> hold every request, unanswered, until the receiver is disposed.</summary>
    public void Hang(string url) => _hanging[PathOf(url)] = 0;

    /// <summary>What <paramref name="url"/> received so far, in order.</summary>
    public List<ReceivedHook> At(string url)
    {
        var path = PathOf(url);
        return [.. _received.Where(r => r.Path == path)];
    }

    /// <summary>Waits until <paramref name="url"/> has received a delivery of <paramref name="event"/> that it answered with a 2xx.</summary>
    public async Task<ReceivedHook> DeliveredAsync(string url, string @event, Func<ReceivedHook, bool>? also = null, TimeSpan? timeout = null)
    {
        var found = await Poll.UntilAsync(
            () => Task.FromResult(At(url).FirstOrDefault(r => r.Event == @event && r.Status is >= 200 and < 300 && (also?.Invoke(r) ?? true))),
            r => r is not null,
            _ => $"{url} received no {@event} it accepted; it received: {string.Join(", ", At(url).Select(r => $"{r.Event} ({r.Status})"))}",
            timeout);
        return found!;
    }

    public async ValueTask DisposeAsync()
    {
        _letGo.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static string PathOf(string url) => new Uri(url).AbsolutePath;

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        if (_hanging.ContainsKey(path))
        {
            _received.Enqueue(new ReceivedHook(path, headers, body, null));
            Interlocked.Increment(ref _inProgress);
            try
            {
                await _letGo.Task;
            }
            finally
            {
                Interlocked.Decrement(ref _inProgress);
            }

            return;
        }

        if (_redirects.TryGetValue(path, out var target))
        {
            _received.Enqueue(new ReceivedHook(path, headers, body, StatusCodes.Status302Found));
            context.Response.Redirect(target);
            return;
        }

        var status = _statuses.GetValueOrDefault(path, StatusCodes.Status200OK);
        _received.Enqueue(new ReceivedHook(path, headers, body, status));
        context.Response.StatusCode = status;
        context.Response.Headers["X-Receiver"] = "test";
    }
}

/// <summary>One delivery a <see cref="HookReceiver"/> got, and the status it answered (null while it hangs).</summary>
public sealed record ReceivedHook(string Path, IReadOnlyDictionary<string, string> Headers, string Body, int? Status)
{
    public string Event => Headers.GetValueOrDefault("x-akkeris-event", "");

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>True when both signature headers are the HMACs of the body with <paramref name="secret"/>.</summary>
    public bool SignedWith(string secret)
    {
        var key = Encoding.UTF8.GetBytes(secret);
        var bytes = Encoding.UTF8.GetBytes(Body);
        return Headers.GetValueOrDefault("x-akkeris-signature") == "sha1=" + Convert.ToHexStringLower(HMACSHA1.HashData(key, bytes))
            && Headers.GetValueOrDefault("x-slipway-signature-256") == "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(key, bytes));
    }
}
