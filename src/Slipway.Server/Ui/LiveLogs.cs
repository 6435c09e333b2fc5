using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Slipway.Server.Accounts;
using Slipway.Server.Logs;
using Slipway.Server.Runtime;

namespace Slipway.Server.Ui;

/// <summary>
/// The app page's log tail: the app's recent log lines, then each new one, as server-sent events.
/// It reads the same runtime log as <c>GET /apps/{app}/log-sessions?tail=true</c>; it exists
/// because the dashboard signs in with a cookie, which the API's Bearer endpoints do not take.
/// </summary>
public static class LiveLogs
{
    public const string LineEvent = "line";

    public static IEndpointConventionBuilder MapLiveLogs(this IEndpointRouteBuilder routes) =>
        routes.MapGet(UiRoutes.AppLogs, Stream).RequireAuthorization(UiAuthentication.Policy).ExcludeFromDescription();

    private static async Task<IResult> Stream(string app, HttpContext http, Access access, IAppRuntime runtime, IHostApplicationLifetime lifetime)
    {
        var found = await access.FindAppAsync(Caller.Of(http.User), app, http.RequestAborted);
        if (found is null)
        {
            return Results.NotFound();
        }

        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        return TypedResults.ServerSentEvents(Lines(runtime, found.Id, http.RequestAborted, lifetime.ApplicationStopping));
    }

    private static async IAsyncEnumerable<SseItem<string>> Lines(
        IAppRuntime runtime, Guid appId, CancellationToken aborted, [EnumeratorCancellation] CancellationToken stopping)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(aborted, stopping);
        var lines = runtime.ReadLogsAsync(appId, LogsApi.DefaultLines, follow: true, cts.Token).GetAsyncEnumerator(cts.Token);
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await lines.MoveNextAsync();
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }

                if (!more)
                {
                    yield break;
                }

                yield return new SseItem<string>(lines.Current.ToString(), LineEvent);
            }
        }
        finally
        {
            await lines.DisposeAsync();
        }
    }
}
