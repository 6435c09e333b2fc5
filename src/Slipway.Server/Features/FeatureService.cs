using Microsoft.EntityFrameworkCore;
using Slipway.Contracts;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Http;

namespace Slipway.Server.Features;

/// <summary>A feature of the catalog and whether one app has it on.</summary>
public sealed record AppFeatureState(Feature Feature, bool Enabled);

/// <summary>
/// The per-app features (Akkeris's <c>/apps/{app}/features</c>): listed from the catalog, each at its
/// default until switched. Switching one is not a release; it changes what happens next (a build
/// started after <c>auto-release</c> was turned off stops at succeeded).
/// </summary>
public sealed class FeatureService(SlipwayDb db, TimeProvider clock)
{
    public async Task<List<AppFeatureState>> ListAsync(App app, CancellationToken ct)
    {
        var set = await db.AppFeatures.AsNoTracking().Where(f => f.AppId == app.Id).ToDictionaryAsync(f => f.Name, f => f.Enabled, ct);
        return [.. FeatureCatalog.All.Select(f => new AppFeatureState(f, set.GetValueOrDefault(f.Name, f.EnabledByDefault)))];
    }

    public async Task<Answer<AppFeatureState>> FindAsync(App app, string name, CancellationToken ct)
    {
        if (FeatureCatalog.Find(name) is not { } feature)
        {
            return NotFound(name);
        }

        return new AppFeatureState(feature, await IsEnabledAsync(app.Id, feature, ct));
    }

    /// <summary>Whether <paramref name="feature"/> is on for the app.</summary>
    public async Task<bool> IsEnabledAsync(Guid appId, Feature feature, CancellationToken ct) =>
        await db.AppFeatures.AsNoTracking().Where(f => f.AppId == appId && f.Name == feature.Name).Select(f => (bool?)f.Enabled).FirstOrDefaultAsync(ct)
            ?? feature.EnabledByDefault;

    /// <summary>Switches a feature on or off (<c>{"enabled": true|false}</c>, required).</summary>
    public async Task<Answer<AppFeatureState>> SetAsync(App app, string name, UpdateFeatureRequest request, CancellationToken ct)
    {
        if (FeatureCatalog.Find(name) is not { } feature)
        {
            return NotFound(name);
        }

        if (request.Enabled is not { } enabled)
        {
            return Refusal.Invalid("enabled is required: {\"enabled\": true} or {\"enabled\": false}.", nameof(request.Enabled));
        }

        var row = await db.AppFeatures.FirstOrDefaultAsync(f => f.AppId == app.Id && f.Name == feature.Name, ct);
        if (row is null)
        {
            db.AppFeatures.Add(AppFeature.Create(app.Id, feature.Name, enabled, clock.GetUtcNow()));
            if (!await db.TrySaveUniqueAsync(ct))
            {
                // Someone switched it at the same moment: this switch is the later one.
                row = await db.AppFeatures.SingleAsync(f => f.AppId == app.Id && f.Name == feature.Name, ct);
            }
        }

        if (row is not null)
        {
            row.Set(enabled, clock.GetUtcNow());
            await db.SaveChangesAsync(ct);
        }

        return new AppFeatureState(feature, enabled);
    }

    private static Refusal NotFound(string name) =>
        Refusal.NotFound($"Feature '{name}' not found; the features are {string.Join(", ", FeatureCatalog.All.Select(f => f.Name))}.");
}
