using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Slipway.Contracts;
using Slipway.Server.Http;
using Slipway.Server.Runtime;

namespace Slipway.Server.Logs;

/// <summary>
/// <c>/apps/{app}/log-sessions</c>: <c>GET ?lines=N&amp;tail=true</c> streams the app's log as plain text,
/// one line per entry (<c>2026-11-27T14:03:05.123456+00:00 app[web.1]: text</c>), following new lines
/// while <c>tail</c> is true. <c>POST</c> answers the same stream's address, as Heroku's log sessions do.
/// </summary>
public static class LogsApi
{
    public const int DefaultLines = 100;

    public static IEndpointRouteBuilder MapLogsApi(this IEndpointRouteBuilder app)
    {
        var logs = app.MapGroup("/log-sessions");
        logs.MapGet("/", Stream);
        logs.MapPost("/", Create);
        return app;
    }

    private static Created<LogSessionResponse> Create(RequestedApp target, LogSessionRequest request, HttpContext http, IOptions<RuntimeOptions> options)
    {
        var found = target.App;
        var lines = Math.Clamp(request.Lines ?? DefaultLines, 0, options.Value.LogLinesPerApp);
        var tail = request.Tail ?? false;
        var url = $"{http.Request.Scheme}://{http.Request.Host}/apps/{found.Key}/log-sessions?lines={lines}&tail={(tail ? "true" : "false")}";
        return TypedResults.Created(url, new LogSessionResponse(url, lines, tail));
    }

    private static PushStreamHttpResult Stream(RequestedApp target, int? lines, bool? tail, HttpContext http, IAppRuntime runtime, IOptions<RuntimeOptions> options)
    {
        var found = target.App;
        var count = Math.Clamp(lines ?? DefaultLines, 0, options.Value.LogLinesPerApp);
        var follow = tail ?? false;
        return TypedResults.Stream(
            async body =>
            {
                http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
                http.Response.Headers.CacheControl = "no-cache";
                try
                {
                    // A follower sees the headers at once, even before the first line arrives.
                    await body.FlushAsync(http.RequestAborted);
                    await foreach (var line in runtime.ReadLogsAsync(found.Id, count, follow, http.RequestAborted))
                    {
                        await body.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), http.RequestAborted);
                        if (follow)
                        {
                            await body.FlushAsync(http.RequestAborted);
                        }
                    }
                }
                catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
                {
                    // The client stopped following (Ctrl-C): that is how a tail ends.
                }
            },
            "text/plain; charset=utf-8");
    }
}
