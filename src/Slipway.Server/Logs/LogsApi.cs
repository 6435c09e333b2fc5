using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Contracts;
using Slipway.Server.Data;
using Slipway.Server.Http;
using Slipway.Server.Runtime;

namespace Slipway.Server.Logs;

/// <summary>
/// <c>/apps/{app}/log-sessions</c>: <c>GET ?lines=N&amp;tail=true</c> (with the token) streams the app's
/// log, one line per entry (<c>2026-11-27T14:03:05.123456+00:00 app[web.1]: text</c>), following new
/// lines while <c>tail</c> is true. <c>POST</c> answers Heroku's <c>logplex_url</c>: the same stream at
/// <c>/apps/{app}/log-sessions/{session}</c>, where the signed session stands in for the token
/// (<see cref="LogSessions"/>). Either stream is plain text, or server-sent events (one <c>data:</c>
/// line per entry) for a client that accepts <c>text/event-stream</c>.
/// </summary>
public static class LogsApi
{
    public const int DefaultLines = 100;

    public static IEndpointRouteBuilder MapLogsApi(this IEndpointRouteBuilder routes, IEndpointRouteBuilder app)
    {
        var logs = app.MapGroup("/log-sessions");
        logs.MapGet("/", Stream);
        logs.MapPost("/", Create);

        // Outside the app group: the session URL works without a token, as a build's output stream does.
        routes.MapGet(AppRoutes.Pattern + "/log-sessions/{session}", StreamSession).AllowAnonymous();
        return routes;
    }

    private static Created<LogSessionResponse> Create(
        RequestedApp target, LogSessionRequest request, HttpContext http, LogSessions sessions, IOptions<RuntimeOptions> runtime, IOptions<SlipwayOptions> options)
    {
        var session = new LogSession(target.App.Id, LinesOf(request.Lines, runtime.Value), request.Tail ?? false);
        var (token, expires) = sessions.Sign(session);
        var url = $"{PublicAddress.Of(http.Request, options.Value.PublicUrl)}/apps/{target.App.Key}/log-sessions/{token}";
        return TypedResults.Created(url, new LogSessionResponse(url, session.Lines, session.Tail, expires));
    }

    private static PushStreamHttpResult Stream(RequestedApp target, int? lines, bool? tail, HttpContext http, IAppRuntime runtime, IOptions<RuntimeOptions> options) =>
        StreamOf(new LogSession(target.App.Id, LinesOf(lines, options.Value), tail ?? false), http, runtime);

    /// <summary>A signed session's stream; 403 once it expired (Heroku's CLI then says the stream timed out).</summary>
    private static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> StreamSession(
        string app, string session, HttpContext http, LogSessions sessions, SlipwayDb db, IAppRuntime runtime, CancellationToken ct)
    {
        if (sessions.Open(session) is not { } opened)
        {
            return ApiProblem.Forbidden($"This log session has expired or is not valid; start a new one (POST /apps/{app}/log-sessions).");
        }

        var key = await db.Apps.AsNoTracking().Where(a => a.Id == opened.AppId).Select(a => a.Key).FirstOrDefaultAsync(ct);
        return key is null || (!string.Equals(key, app, StringComparison.OrdinalIgnoreCase) && app != opened.AppId.ToString())
            ? ApiProblem.NotFound($"App '{app}' not found.")
            : StreamOf(opened, http, runtime);
    }

    private static int LinesOf(int? lines, RuntimeOptions options) => Math.Clamp(lines ?? DefaultLines, 0, options.LogLinesPerApp);

    private static PushStreamHttpResult StreamOf(LogSession session, HttpContext http, IAppRuntime runtime)
    {
        var sse = http.Request.Headers.Accept.Any(a => a?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true);
        return TypedResults.Stream(
            async body =>
            {
                http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
                http.Response.Headers.CacheControl = "no-cache";
                try
                {
                    // A follower sees the headers at once, even before the first line arrives.
                    await body.FlushAsync(http.RequestAborted);
                    await foreach (var line in runtime.ReadLogsAsync(session.AppId, session.Lines, session.Tail, http.RequestAborted))
                    {
                        var text = line.ToString();
                        await body.WriteAsync(Encoding.UTF8.GetBytes(sse ? $"data: {text}\n\n" : text + "\n"), http.RequestAborted);
                        if (session.Tail)
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
            sse ? "text/event-stream" : "text/plain; charset=utf-8");
    }
}
