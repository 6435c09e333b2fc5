using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Slipway.Server.Accounts;
using Slipway.Server.Data;
using Slipway.Server.Runtime;

namespace Slipway.Server.Ui;

/// <summary>
/// Keeps an open app page current: a server-sent event stream per page that polls the database
/// (releases, builds, add-ons) and the runtime (processes) once a second and says when they changed.
/// Polling the database, rather than listening in process, is what lets a release made on
/// another server, by the CLI or the API, reach every open page.
/// </summary>
public static class LiveUpdates
{
    /// <summary>Something the app page shows changed (releases, builds, add-ons, processes); the page fetches itself again.</summary>
    public const string ReleaseEvent = "release";

    /// <summary>The app is gone (destroyed, or no longer the caller's to see).</summary>
    public const string GoneEvent = "gone";

    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>How many of the newest releases the stamp covers: the first page the app page shows.</summary>
    public const int Window = Pages.AppModel.ReleasesPerPage;

    public static IEndpointConventionBuilder MapLiveUpdates(this IEndpointRouteBuilder routes) =>
        routes.MapGet(UiRoutes.AppEvents, Stream).RequireAuthorization(UiAuthentication.Policy).ExcludeFromDescription();

    /// <summary>
    /// A short fingerprint of what an app page shows that can change elsewhere: the newest releases
    /// (version and status) and their release statuses, the newest builds (status), the add-ons (state)
    /// and the processes (state and release). It changes when a release is made or settles, a check
    /// posts or changes a status, a build ends, an add-on moves, or a process starts, comes up or crashes.
    /// </summary>
    public static async Task<string> StampAsync(SlipwayDb db, IAppRuntime runtime, Guid appId, CancellationToken ct)
    {
        var releases = await db.Releases.AsNoTracking()
            .Where(r => r.AppId == appId)
            .OrderByDescending(r => r.Version)
            .Take(Window)
            .Select(r => new { r.Id, r.Version, r.Status })
            .ToListAsync(ct);
        var releaseIds = releases.Select(r => r.Id).ToList();
        var checks = await db.ReleaseStatuses.AsNoTracking()
            .Where(c => releaseIds.Contains(c.ReleaseId))
            .OrderBy(c => c.Id)
            .Select(c => new { c.Id, c.UpdatedAt })
            .ToListAsync(ct);
        var builds = await db.Builds.AsNoTracking()
            .Where(b => b.AppId == appId)
            .OrderByDescending(b => b.CreatedAt)
            .Take(Pages.AppModel.BuildsShown)
            .Select(b => new { b.Id, b.Status })
            .ToListAsync(ct);
        var addons = await db.Addons.AsNoTracking()
            .Where(a => a.AppId == appId)
            .Select(a => new { a.Id, a.State })
            .ToListAsync(ct);
        var text = new StringBuilder();
        text.AppendJoin(',', releases.Select(r => $"{r.Version}:{r.Status}")).Append('|');
        text.AppendJoin(',', checks.Select(c => $"{c.Id}:{c.UpdatedAt.UtcTicks}")).Append('|');
        text.AppendJoin(',', builds.Select(b => $"{b.Id}:{b.Status}")).Append('|');
        text.AppendJoin(',', addons.OrderBy(a => a.Id).Select(a => $"{a.Id}:{a.State}")).Append('|');
        text.AppendJoin(',', (await runtime.DynosAsync(appId, ct)).OrderBy(d => d.Name, StringComparer.Ordinal).Select(d => $"{d.Name}:{d.State}:{d.ReleaseVersion}:{d.Since.UtcTicks}"));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    private static async Task<IResult> Stream(
        string app,
        [FromQuery] string? since,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventId,
        HttpContext http,
        Access access,
        SlipwayDb db,
        IAppRuntime runtime,
        TimeProvider clock,
        IHostApplicationLifetime lifetime)
    {
        var found = await access.FindAppAsync(Caller.Of(http.User), app, http.RequestAborted);
        if (found is null)
        {
            return Results.NotFound();
        }

        // The browser sends the last event's id when it reconnects; the page's own stamp otherwise.
        var seen = lastEventId ?? since ?? "";
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.ServerSentEvents(Events(db, runtime, found.Id, seen, clock, http.RequestAborted, lifetime.ApplicationStopping));
    }

    private static async IAsyncEnumerable<SseItem<string>> Events(
        SlipwayDb db, IAppRuntime runtime, Guid appId, string seen, TimeProvider clock, CancellationToken aborted, [EnumeratorCancellation] CancellationToken stopping)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(aborted, stopping);
        var ct = cts.Token;
        using var timer = new PeriodicTimer(PollInterval, clock);
        do
        {
            var (exists, stamp) = await PollAsync(db, runtime, appId, ct);
            if (ct.IsCancellationRequested)
            {
                yield break;
            }

            if (!exists)
            {
                yield return new SseItem<string>("{}", GoneEvent);
                yield break;
            }

            if (stamp != seen)
            {
                seen = stamp;
                yield return new SseItem<string>($"{{\"stamp\":\"{stamp}\"}}", ReleaseEvent) { EventId = stamp };
            }
        }
        while (await TickAsync(timer, ct));
    }

    private static async Task<(bool Exists, string Stamp)> PollAsync(SlipwayDb db, IAppRuntime runtime, Guid appId, CancellationToken ct)
    {
        try
        {
            return await db.Apps.AnyAsync(a => a.Id == appId, ct)
                ? (true, await StampAsync(db, runtime, appId, ct))
                : (false, "");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return (true, "");
        }
    }

    private static async Task<bool> TickAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
