using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Server.Data;
using Slipway.Server.Logs;
using Yarp.ReverseProxy.Forwarder;

namespace Slipway.Server.Routing;

/// <summary>
/// The built-in router of the local runtime (not started with Kubernetes): its own Kestrel listener and
/// pipeline (no API, no authentication) on <c>Slipway:Router:Port</c>. <c>Host: &lt;app&gt;-&lt;space&gt;.localhost</c> (or <c>.&lt;Domain&gt;</c>) goes
/// to that app's healthy web processes in turn, through YARP's forwarder.
/// </summary>
public sealed partial class RouterHost(
    IOptions<RouterOptions> options,
    RouteTable routes,
    AppLogStore logs,
    IHttpForwarder forwarder,
    IDbContextFactory<SlipwayDb> dbs,
    TimeProvider clock,
    ILoggerFactory loggerFactory,
    ILogger<RouterHost> logger) : IHostedService, IAsyncDisposable
{
    /// <summary>How long "this app exists" (or does not) is believed before the database is asked again.</summary>
    private static readonly TimeSpan KnownAppsTtl = TimeSpan.FromSeconds(5);

    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ActivityHeadersPropagator = null,
    });

    private readonly ConcurrentDictionary<string, (bool Exists, DateTimeOffset At)> _knownApps = new(StringComparer.Ordinal);
    private readonly ForwardingTransformer _transformer = new(clock);
    private WebApplication? _app;

    /// <summary>The port the router listens on (the one picked when configured as 0); 0 before it started.</summary>
    public int Port { get; private set; }

    /// <summary>Where an app answers through the router: <c>http://&lt;key&gt;.&lt;domain&gt;:&lt;port&gt;</c>.</summary>
    public string UrlOf(string appKey)
    {
        var port = Port != 0 ? Port : options.Value.Port;
        return port == 80 ? $"http://{appKey}.{options.Value.Domain}" : $"http://{appKey}.{options.Value.Domain}:{port}";
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(IPAddress.Parse(options.Value.Address), options.Value.Port);
        });
        _app = builder.Build();
        _app.Run(HandleAsync);
        await _app.StartAsync(cancellationToken);

        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(address).Port;
        LogListening(address);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        _client.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var key = AppKeyOf(context.Request.Host.Host);
        if (key is null || FindRoute(key) is not { } route && !await AppExistsAsync(key, context.RequestAborted))
        {
            await PageAsync(context, StatusCodes.Status404NotFound, "No such app", $"There is no app at {WebUtilityHtml(context.Request.Host.Value)}.");
            return;
        }

        Destination? failed = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            route = FindRoute(key);
            var destination = route?.Acquire(avoid: failed);
            if (destination is null)
            {
                break;
            }

            ForwarderError error;
            try
            {
                error = await forwarder.SendAsync(context, destination.Prefix, _client, ForwarderRequestConfig.Empty, _transformer);
            }
            finally
            {
                destination.Release();
            }

            if (error == ForwarderError.None)
            {
                return;
            }

            var exception = context.GetForwarderErrorFeature()?.Exception;
            if (error == ForwarderError.Request && !context.Response.HasStarted && exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError })
            {
                // Nothing reached the process (it is going away or not yet listening): another one may take the request.
                logs.Append(route!.AppId, "slipway[router]", $"at=warning desc=\"Connection to {destination.DynoName} refused, retrying\" method={context.Request.Method} path=\"{context.Request.Path}\"");
                context.Features.Set<IForwarderErrorFeature>(null);
                context.Response.StatusCode = StatusCodes.Status200OK;
                failed = destination;
                continue;
            }

            if (error is not ForwarderError.RequestCanceled and not ForwarderError.ResponseBodyCanceled and not ForwarderError.UpgradeRequestCanceled)
            {
                logs.Append(route!.AppId, "slipway[router]", $"at=error desc=\"{error}: {exception?.Message}\" dyno={destination.DynoName} method={context.Request.Method} path=\"{context.Request.Path}\" status={context.Response.StatusCode}");
            }

            if (error == ForwarderError.RequestBodyClient && !context.Response.HasStarted)
            {
                // The client's body could not be read (a broken chunked encoding, a body cut short): its fault, not the app's.
                await PageAsync(context, StatusCodes.Status400BadRequest, "Bad request", "The request body could not be read: its framing (Content-Length or chunked encoding) is not valid.");
                return;
            }

            if (!context.Response.HasStarted)
            {
                await PageAsync(context, StatusCodes.Status502BadGateway, "Bad gateway", $"{key} did not answer this request properly. Its log (aka logs -a {key}) may say why.");
            }

            return;
        }

        if (FindRoute(key) is { } known)
        {
            logs.Append(known.AppId, "slipway[router]", $"at=error desc=\"No web processes running\" method={context.Request.Method} path=\"{context.Request.Path}\" host={context.Request.Host.Value}");
        }

        await PageAsync(context, StatusCodes.Status503ServiceUnavailable, "No web processes running", $"{key} has no web process up right now. See aka ps -a {key} and aka logs -a {key}.");
    }

    private AppRoute? FindRoute(string key) => routes.Find(key);

    /// <summary>The app key in <c>&lt;key&gt;.localhost</c> or <c>&lt;key&gt;.&lt;Domain&gt;</c>, or null for any other host.</summary>
    private string? AppKeyOf(string host)
    {
        host = host.TrimEnd('.').ToLowerInvariant();
        foreach (var suffix in (string[])[".localhost", "." + options.Value.Domain])
        {
            if (host.EndsWith(suffix, StringComparison.Ordinal) && host[..^suffix.Length] is var key && AppKeyPattern().IsMatch(key))
            {
                return key;
            }
        }

        return null;
    }

    private async Task<bool> AppExistsAsync(string key, CancellationToken ct)
    {
        if (_knownApps.TryGetValue(key, out var known) && clock.GetUtcNow() - known.At < KnownAppsTtl)
        {
            return known.Exists;
        }

        await using var db = await dbs.CreateDbContextAsync(ct);
        var exists = await db.Apps.AnyAsync(a => a.Key == key, ct);
        if (_knownApps.Count > 10_000)
        {
            _knownApps.Clear();
        }

        _knownApps[key] = (exists, clock.GetUtcNow());
        return exists;
    }

    private static async Task PageAsync(HttpContext context, int status, string title, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(
            $"<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>" +
            $"<body style=\"font-family:sans-serif;margin:3em\"><h1>{title}</h1><p>{WebUtilityHtml(message)}</p><p><small>Slipway router</small></p></body></html>\n");
    }

    private static string WebUtilityHtml(string? text) => WebUtility.HtmlEncode(text ?? "");

    [GeneratedRegex("^[a-z0-9]+-[a-z0-9][a-z0-9-]*$")]
    private static partial Regex AppKeyPattern();

    [LoggerMessage(Level = LogLevel.Information, Message = "Router listening on {Address}")]
    private partial void LogListening(string address);

    /// <summary>Keeps the original Host (apps see the name they were called by) and adds the usual X-Forwarded-* headers.</summary>
    private sealed class ForwardingTransformer(TimeProvider clock) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            var request = httpContext.Request;
            proxyRequest.Headers.Host = request.Host.Value;
            var remote = httpContext.Connection.RemoteIpAddress?.ToString();
            if (remote is not null)
            {
                proxyRequest.Headers.Remove("X-Forwarded-For");
                var earlier = request.Headers["X-Forwarded-For"].ToString();
                proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-For", earlier.Length > 0 ? $"{earlier}, {remote}" : remote);
            }

            proxyRequest.Headers.Remove("X-Forwarded-Proto");
            proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-Proto", request.Scheme);
            proxyRequest.Headers.Remove("X-Forwarded-Port");
            proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-Port", httpContext.Connection.LocalPort.ToString(CultureInfo.InvariantCulture));
            proxyRequest.Headers.Remove("X-Request-Start");
            proxyRequest.Headers.TryAddWithoutValidation("X-Request-Start", clock.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        }
    }
}
