using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
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

    /// <summary>HTTP/1.1 to processes on loopback: no proxy, cookies, decompression or trace headers; connections pooled and kept.</summary>
    private static readonly ForwarderRequestConfig Loopback = new()
    {
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
    };

    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ActivityHeadersPropagator = null,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        MaxConnectionsPerServer = int.MaxValue,
        EnableMultipleHttp2Connections = false,
    });

    private readonly RouterLog _log = new(logs);
    private readonly string _domainSuffix = "." + options.Value.Domain;

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
        builder.Services.AddSingleton<ILoggerFactory>(new WithoutRequestScopes(loggerFactory));
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(IPAddress.Parse(options.Value.Address), options.Value.Port);
        });
        _app = builder.Build();
        _app.Run(HandleAsync);
        _log.Start();
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

        await _log.DisposeAsync();
        _client.Dispose();
    }

    private Task HandleAsync(HttpContext context)
    {
        // The hot path: the app's route found from the Host header without allocating; anything
        // else (no route, a retry, an error) goes the slow way with the key as a string.
        var host = context.Request.Headers.Host.ToString();
        Span<char> lowered = stackalloc char[MaxHostLength];
        var key = AppKeyOf(host, lowered);
        if (key.IsEmpty)
        {
            return PageAsync(context, StatusCodes.Status404NotFound, "No such app", $"There is no app at {WebUtilityHtml(context.Request.Host.Value)}.");
        }

        var route = routes.Find(key);
        if (route?.Acquire() is { } destination)
        {
            return ForwardFirstAsync(context, route, destination, host);
        }

        return HandleSlowAsync(context, key.ToString(), route);
    }

    private async Task ForwardFirstAsync(HttpContext context, AppRoute route, Destination destination, string host)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        ForwarderError error;
        try
        {
            error = await forwarder.SendAsync(context, destination.Prefix, _client, Loopback, _transformer);
        }
        finally
        {
            destination.Release();
        }

        if (error == ForwarderError.None)
        {
            _log.Served(route.AppId, context.Request, host, context.Response, started);
            return;
        }

        await HandleSlowAsync(context, route.AppKey, route, (destination, error));
    }

    private async Task HandleSlowAsync(HttpContext context, string key, AppRoute? route, (Destination Destination, ForwarderError Error)? first = null)
    {
        if (route is null && first is null && !await AppExistsAsync(key, context.RequestAborted))
        {
            await PageAsync(context, StatusCodes.Status404NotFound, "No such app", $"There is no app at {WebUtilityHtml(context.Request.Host.Value)}.");
            return;
        }

        Destination? failed = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            Destination? destination;
            ForwarderError error;
            if (attempt == 0 && first is { } earlier)
            {
                (destination, error) = earlier;
            }
            else
            {
                route = FindRoute(key);
                destination = route?.Acquire(avoid: failed);
                if (destination is null)
                {
                    break;
                }

                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                try
                {
                    error = await forwarder.SendAsync(context, destination.Prefix, _client, Loopback, _transformer);
                }
                finally
                {
                    destination.Release();
                }

                if (error == ForwarderError.None)
                {
                    _log.Served(route!.AppId, context.Request, context.Request.Headers.Host.ToString(), context.Response, started);
                    return;
                }
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

    /// <summary>The longest host name (DNS allows 253 characters) the router looks at.</summary>
    private const int MaxHostLength = 255;

    /// <summary>
    /// The app key in <c>&lt;key&gt;.localhost</c> or <c>&lt;key&gt;.&lt;Domain&gt;</c> (any case, an optional
    /// port and trailing dot), lowercased into <paramref name="buffer"/> only when it has capitals;
    /// empty for any other host. Matches <c>^[a-z0-9]+-[a-z0-9][a-z0-9-]*$</c>, without a regex.
    /// </summary>
    private ReadOnlySpan<char> AppKeyOf(string header, Span<char> buffer)
    {
        var host = header.AsSpan();
        if (host.StartsWith('['))
        {
            return default;
        }

        if (host.IndexOf(':') is var colon and >= 0)
        {
            host = host[..colon];
        }

        host = host.TrimEnd('.');
        if (host.Length > buffer.Length)
        {
            return default;
        }

        if (host.ContainsAnyInRange('A', 'Z'))
        {
            var length = host.ToLowerInvariant(buffer);
            host = buffer[..length];
        }

        ReadOnlySpan<char> key;
        if (host.EndsWith(".localhost", StringComparison.Ordinal))
        {
            key = host[..^".localhost".Length];
        }
        else if (host.EndsWith(_domainSuffix, StringComparison.Ordinal))
        {
            key = host[..^_domainSuffix.Length];
        }
        else
        {
            return default;
        }

        return IsAppKey(key) ? key : default;
    }

    private static bool IsAppKey(ReadOnlySpan<char> key)
    {
        var dash = key.IndexOf('-');
        return dash > 0 && dash < key.Length - 1
            && !key[..dash].ContainsAnyExcept(AppKeyHead)
            && !key[(dash + 1)..(dash + 2)].ContainsAnyExcept(AppKeyHead)
            && !key[(dash + 1)..].ContainsAnyExcept(AppKeyTail);
    }

    private static readonly System.Buffers.SearchValues<char> AppKeyHead = System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789");

    private static readonly System.Buffers.SearchValues<char> AppKeyTail = System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-");

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Router listening on {Address}")]
    private partial void LogListening(string address);

    /// <summary>
    /// The server's loggers, but none for ASP.NET Core's hosting diagnostics: they open a logging
    /// scope per request (and log each request at Information), which the router's own lines replace.
    /// </summary>
    private sealed class WithoutRequestScopes(ILoggerFactory inner) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) =>
            categoryName.StartsWith("Microsoft.AspNetCore.Hosting", StringComparison.Ordinal) ? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance : inner.CreateLogger(categoryName);

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        public void Dispose()
        {
            // The server owns the inner factory.
        }
    }

    /// <summary>Keeps the original Host (apps see the name they were called by) and adds the usual X-Forwarded-* headers.</summary>
    private sealed class ForwardingTransformer(TimeProvider clock) : HttpTransformer
    {
        // The router listens on one port: its text is made once (a race only makes it twice).
        private int _port;
        private string _portText = "";

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
            var port = httpContext.Connection.LocalPort;
            proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-Port", port == _port ? _portText : (_portText = (_port = port).ToString(CultureInfo.InvariantCulture)));
            proxyRequest.Headers.Remove("X-Request-Start");
            proxyRequest.Headers.TryAddWithoutValidation("X-Request-Start", clock.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        }
    }
}
