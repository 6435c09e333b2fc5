using Microsoft.EntityFrameworkCore;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Builds;
using Slipway.Server.Collector;
using Slipway.Server.Data;
using Slipway.Server.Hooks;
using Slipway.Server.Http;
using Slipway.Server.Releases;
using Slipway.Server.Runtime;

namespace Slipway.Server.Apps;

/// <summary>
/// An app with what lists and clients show of it: its owner, and its serving release (version,
/// description, time and slug size; null before the first succeeded).
/// </summary>
public sealed record AppSummary(App App, User Owner, int? ServingVersion, string? ServingDescription, DateTimeOffset? ServingAt, long? ServingSlugSize);

/// <summary>
/// Apps, for the API and the dashboard alike: the name rules, a space the caller sees, a unique
/// key; listing what the caller may see; destroying an app with everything it owns.
/// </summary>
public sealed class AppService(SlipwayDb db, Access access, Deployer deployer, BuildQueue builds, BuildRunner runner, Leftovers leftovers, TimeProvider clock, HookEvents hooks)
{
    /// <summary>The one answer for an app that is missing or not the caller's to see.</summary>
    public static Refusal NotFound(string reference) => Refusal.NotFound($"App '{reference}' not found.");

    /// <summary>The apps the caller may see, by key, each with its owner and serving release.</summary>
    public async Task<List<AppSummary>> ListAsync(Caller caller, CancellationToken ct) =>
        await SummarizeAsync(await access.Apps(caller).AsNoTracking().OrderBy(a => a.Key).ToListAsync(ct), ct);

    /// <summary>One app with its owner and serving release.</summary>
    public async Task<AppSummary> SummaryAsync(App app, CancellationToken ct) => (await SummarizeAsync([app], ct))[0];

    /// <summary>
    /// <paramref name="apps"/>, in their order, each with its owner and serving release, in three
    /// queries however many there are. An app made before owners were recorded is the first admin's.
    /// </summary>
    public async Task<List<AppSummary>> SummarizeAsync(IReadOnlyList<App> apps, CancellationToken ct)
    {
        var ids = apps.Select(a => a.Id).ToList();
        var serving = await ReleaseQueries.Serving(db).AsNoTracking()
            .Where(r => ids.Contains(r.AppId))
            .Select(r => new { r.AppId, r.Version, r.Description, r.CreatedAt, SlugSize = r.Slug!.Size })
            .ToDictionaryAsync(r => r.AppId, ct);
        var ownerIds = apps.Where(a => a.OwnerId is not null).Select(a => a.OwnerId!.Value).Distinct().ToList();
        var owners = await db.Users.AsNoTracking().Where(u => ownerIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, ct);
        User? firstAdmin = null;
        List<AppSummary> summaries = [];
        foreach (var app in apps)
        {
            if (app.OwnerId is not { } ownerId || !owners.TryGetValue(ownerId, out var owner))
            {
                owner = firstAdmin ??= await db.Users.AsNoTracking().Where(u => u.IsAdmin).OrderBy(u => u.CreatedAt).FirstAsync(ct);
            }

            summaries.Add(serving.TryGetValue(app.Id, out var r)
                ? new AppSummary(app, owner, r.Version, r.Description, r.CreatedAt, r.SlugSize)
                : new AppSummary(app, owner, null, null, null, null));
        }

        return summaries;
    }

    public Task<int?> ServingVersionAsync(App app, CancellationToken ct) => ReleaseQueries.ServingVersionAsync(db, app.Id, ct);

    public async Task<Answer<App>> CreateAsync(Caller caller, CreateAppRequest request, CancellationToken ct)
    {
        var name = request.Name?.Trim();
        if (Names.AppNameProblem(name) is { } problem)
        {
            return Refusal.Invalid(problem, nameof(request.Name));
        }

        if (string.IsNullOrWhiteSpace(request.Space))
        {
            return Refusal.Invalid("A space is required (aka apps:create NAME -s SPACE).", nameof(request.Space));
        }

        if (!string.IsNullOrWhiteSpace(request.Org) && !Platform.IsOrganization(request.Org))
        {
            return Refusal.NotFound($"Organization '{request.Org}' not found: this server has one organization, '{Platform.DefaultOrganization}' (GET /organizations).", nameof(request.Org));
        }

        var description = string.IsNullOrWhiteSpace(request.Description) ? null : request.Description.Trim();
        if (description is { Length: > Names.MaxDescription })
        {
            return Refusal.TooLong("description", description.Length, Names.MaxDescription, nameof(request.Description));
        }

        var space = await access.FindSpaceAsync(caller, request.Space.Trim(), ct);
        if (space is null)
        {
            return Refusal.NotFound($"Space '{request.Space}' not found.", nameof(request.Space));
        }

        var key = App.KeyOf(name!, space.Name);
        if (await db.Apps.AnyAsync(a => a.Key == key, ct))
        {
            return Refusal.Conflict($"App '{key}' already exists.", nameof(request.Name));
        }

        var app = App.Create(name!, space, caller.UserId, description, clock.GetUtcNow());
        db.Apps.Add(app);
        if (!await db.TrySaveUniqueAsync(ct))
        {
            return Refusal.Conflict($"App '{key}' already exists.", nameof(request.Name));
        }

        return app;
    }

    /// <summary>
    /// Destroys the app with its releases, builds and slugs, stops its builds and processes (it returns
    /// once they are gone), then removes what it kept on disk (see <see cref="Leftovers.RemoveAsync"/>).
    /// Null when it is gone. Clients confirm with their user before they ask (both Heroku's and Akkeris's CLIs
    /// do, and so does aka), so no confirmation is needed here; <paramref name="confirm"/>, when
    /// given, must repeat the app's key, so that a confirmation for another app stops the destroy.
    /// </summary>
    public async Task<Refusal?> DestroyAsync(App app, string? confirm, CancellationToken ct)
    {
        if (confirm is not null && confirm != app.Key)
        {
            return Refusal.Invalid($"The confirmation '{confirm}' does not match the app {app.Key}; nothing was destroyed.");
        }

        // Add-ons hold things at brokers (databases, folders) that only destroying them releases.
        if (await db.Addons.Where(a => a.AppId == app.Id).Select(a => a.Name).ToListAsync(ct) is { Count: > 0 } addons)
        {
            return Refusal.Conflict($"{app.Key} still has add-ons ({string.Join(", ", addons)}); destroy them first (aka addons:destroy NAME -a {app.Key}).");
        }

        // Its builds end first (their processes killed), so that none writes to its cache or makes a release meanwhile.
        var building = builds.InFlight.Where(j => j.AppId == app.Id).ToList();
        foreach (var job in building)
        {
            if (job.Cancel($"The app {app.Key} was destroyed."))
            {
                await runner.FailQueuedAsync(job, job.CancelReason!);
            }
        }

        await Task.WhenAll(building.Select(j => j.Ended)).WaitAsync(ct);

        var files = await Leftovers.OfAsync(db, app.Id, app.Key, ct);
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            // The event is saved with the destroy; it is delivered after the app and its hooks are gone.
            await hooks.DestroyedAsync(db, app, ct);
            await db.SaveChangesAsync(ct);
            await db.IdempotencyRecords.Where(r => r.AppId == app.Id).ExecuteDeleteAsync(ct);
            await db.Releases.Where(r => r.AppId == app.Id).ExecuteDeleteAsync(ct);
            await db.Builds.Where(b => b.AppId == app.Id).ExecuteDeleteAsync(ct);
            await db.Slugs.Where(s => s.AppId == app.Id).ExecuteDeleteAsync(ct);
            await db.AppHooks.Where(h => h.AppId == app.Id).ExecuteDeleteAsync(ct);
            await db.Apps.Where(a => a.Id == app.Id).ExecuteDeleteAsync(ct);
            await tx.CommitAsync(ct);
        }

        await deployer.StopAppAsync(app.Id, ct);
        await leftovers.RemoveAsync(files, ct);
        return null;
    }
}
