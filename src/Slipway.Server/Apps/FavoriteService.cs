using Microsoft.EntityFrameworkCore;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Data;
using Slipway.Server.Http;

namespace Slipway.Server.Apps;

/// <summary>
/// The caller's favorite apps (Akkeris's <c>/favorites</c>; <c>aka apps:create</c> adds the new app).
/// Only apps the caller may see can be favorites; a favorite goes with its app.
/// </summary>
public sealed class FavoriteService(SlipwayDb db, Access access, AppService apps, TimeProvider clock)
{
    /// <summary>The caller's favorites they may still see, by key, each with its owner and serving release.</summary>
    public async Task<List<AppSummary>> ListAsync(Caller caller, CancellationToken ct) =>
        await apps.SummarizeAsync(
            await access.Apps(caller).AsNoTracking()
                .Where(a => db.Favorites.Any(f => f.UserId == caller.UserId && f.AppId == a.Id))
                .OrderBy(a => a.Key)
                .ToListAsync(ct),
            ct);

    /// <summary>Adds the app (key or id) to the caller's favorites; one that already is stays so.</summary>
    public async Task<Answer<App>> AddAsync(Caller caller, string? reference, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(reference))
        {
            return Refusal.Invalid("'app' is required: the app's key (name-space) or id.", nameof(AddFavoriteRequest.App));
        }

        if (await access.FindAppAsync(caller, reference.Trim(), ct) is not { } app)
        {
            return AppService.NotFound(reference);
        }

        if (!await db.Favorites.AnyAsync(f => f.UserId == caller.UserId && f.AppId == app.Id, ct))
        {
            db.Favorites.Add(Favorite.Create(caller.UserId, app.Id, clock.GetUtcNow()));

            // The same app favorited twice at once: the other request already made it one.
            await db.TrySaveUniqueAsync(ct);
        }

        return app;
    }

    /// <summary>Removes the app (key or id) from the caller's favorites; 404 when it is not one.</summary>
    public async Task<Answer<App>> RemoveAsync(Caller caller, string reference, CancellationToken ct)
    {
        if (await access.FindAppAsync(caller, reference.Trim(), ct) is not { } app)
        {
            return AppService.NotFound(reference);
        }

        var removed = await db.Favorites.Where(f => f.UserId == caller.UserId && f.AppId == app.Id).ExecuteDeleteAsync(ct);
        return removed == 0 ? Refusal.NotFound($"{app.Key} is not one of your favorites.") : app;
    }
}
