using Microsoft.EntityFrameworkCore;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Data;
using Slipway.Server.Http;
using Slipway.Server.Releases;
using Slipway.Server.Runtime;

namespace Slipway.Server.Apps;

/// <summary>An app with what lists show of its serving release (null before the first succeeded).</summary>
public sealed record AppSummary(App App, int? ServingVersion, string? ServingDescription, DateTimeOffset? ServingAt);

/// <summary>
/// Apps, for the API and the dashboard alike: the name rules, a space the caller sees, a unique
/// key; listing what the caller may see; destroying an app with everything it owns.
/// </summary>
public sealed class AppService(SlipwayDb db, Access access, Deployer deployer, TimeProvider clock)
{
    /// <summary>The one answer for an app that is missing or not the caller's to see.</summary>
    public static Refusal NotFound(string reference) => Refusal.NotFound($"App '{reference}' not found.");

    /// <summary>The apps the caller may see, by key, each with its serving release.</summary>
    public async Task<List<AppSummary>> ListAsync(Caller caller, CancellationToken ct)
    {
        var apps = await access.Apps(caller).AsNoTracking().OrderBy(a => a.Key).ToListAsync(ct);
        var ids = apps.Select(a => a.Id).ToList();
        var serving = await ReleaseQueries.Serving(db).AsNoTracking()
            .Where(r => ids.Contains(r.AppId))
            .Select(r => new { r.AppId, r.Version, r.Description, r.CreatedAt })
            .ToDictionaryAsync(r => r.AppId, ct);
        return [.. apps.Select(a => serving.TryGetValue(a.Id, out var r)
            ? new AppSummary(a, r.Version, r.Description, r.CreatedAt)
            : new AppSummary(a, null, null, null))];
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

        var app = App.Create(name!, space, clock.GetUtcNow());
        db.Apps.Add(app);
        if (!await db.TrySaveUniqueAsync(ct))
        {
            return Refusal.Conflict($"App '{key}' already exists.", nameof(request.Name));
        }

        return app;
    }

    /// <summary>
    /// Destroys the app with its releases and slug records, and stops its processes;
    /// <paramref name="confirm"/> must repeat its key. Null when it is gone.
    /// </summary>
    public async Task<Refusal?> DestroyAsync(App app, string? confirm, CancellationToken ct)
    {
        if (confirm != app.Key)
        {
            return Refusal.Invalid($"Destroying {app.Key} needs confirmation: repeat its key ('?confirm={app.Key}', or 'aka apps:destroy -a {app.Key} --confirm {app.Key}').");
        }

        // Add-ons hold things at brokers (databases, folders) that only destroying them releases.
        if (await db.Addons.Where(a => a.AppId == app.Id).Select(a => a.Name).ToListAsync(ct) is { Count: > 0 } addons)
        {
            return Refusal.Conflict($"{app.Key} still has add-ons ({string.Join(", ", addons)}); destroy them first (aka addons:destroy NAME -a {app.Key}).");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.IdempotencyRecords.Where(r => r.AppId == app.Id).ExecuteDeleteAsync(ct);
        await db.Releases.Where(r => r.AppId == app.Id).ExecuteDeleteAsync(ct);
        await db.Slugs.Where(s => s.AppId == app.Id).ExecuteDeleteAsync(ct);
        await db.Apps.Where(a => a.Id == app.Id).ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
        await deployer.StopAppAsync(app.Id, ct);
        return null;
    }
}
