using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Slipway.Server.Data;
using Slipway.TestSupport;

namespace Slipway.Bench;

/// <summary>Reads the database behind the server to check what the API made.</summary>
public static class ReleaseCheck
{
    /// <summary>
    /// Versions 1..N with no gap and no duplicate, and the app's counter at N; answers
    /// <c>v1..vN gapless</c> or throws, since a benchmark of wrong results means nothing.
    /// </summary>
    public static async Task<string> GaplessAsync(SlipwayTestServer server, string appKey)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SlipwayDb>();
        var app = await db.Apps.AsNoTracking().SingleAsync(a => a.Key == appKey);
        var releases = db.Releases.AsNoTracking().Where(r => r.AppId == app.Id);
        var count = await releases.CountAsync();
        var distinct = await releases.Select(r => r.Version).Distinct().CountAsync();
        var min = await releases.MinAsync(r => (int?)r.Version) ?? 0;
        var max = await releases.MaxAsync(r => (int?)r.Version) ?? 0;
        if (count == 0 || min != 1 || max != count || distinct != count || app.ReleaseCounter != count)
        {
            throw new InvalidOperationException(
                $"{appKey}: {count} releases, {distinct} distinct versions, v{min}..v{max}, release counter {app.ReleaseCounter}: not gapless.");
        }

        return $"v1..v{max} gapless";
    }
}
