using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Http;
using Slipway.Server.Releases;

namespace Slipway.Server.Addons;

/// <summary>
/// Where an attach or a destroy stands when the request stops waiting for the broker.
/// <see cref="Done"/>: it finished (a destroyed add-on is gone); otherwise it goes on in the
/// background and <see cref="Addon"/> is its state now. <see cref="ReleaseVersion"/>: the
/// Attach or Detach release made. <see cref="Failure"/>: the broker failed after the Detach
/// release was made, so the add-on is detached but still listed.
/// </summary>
public sealed record AddonChange(Addon Addon, bool Done, int? ReleaseVersion = null, Refusal? Failure = null);

/// <summary>An add-on with the app that owns it (and is the one it is attached to).</summary>
public sealed record OwnedAddon(Addon Addon, App App);

/// <summary>
/// An app's add-ons, for the API and the dashboard alike: attaching (checks, then
/// provision → bind → Attach release) and destroying (Detach release → unbind → deprovision).
/// The broker work runs in <see cref="AddonJobs"/> by <see cref="AddonLifecycle"/>'s rules; a
/// request waits up to <see cref="AddonOptions.RequestWait"/> for it, then lets it go on.
/// </summary>
public sealed class AddonService(
    SlipwayDb db, Access access, BrokerRegistry registry, AddonLifecycle lifecycle, AddonJobs jobs, IOptions<AddonOptions> options, TimeProvider clock)
{
    private static readonly string[] Words =
    [
        "amber", "brave", "calm", "clear", "cosy", "crisp", "deep", "eager", "fair", "fresh", "gentle", "golden", "green", "happy",
        "keen", "kind", "lively", "lucky", "mellow", "misty", "noble", "plain", "quiet", "rapid", "shiny", "silent", "solid", "steady",
        "sunny", "swift", "tidy", "warm", "wise", "young",
    ];

    /// <summary>The app's add-ons, oldest first, whatever their state.</summary>
    public async Task<List<Addon>> ListAsync(App app, CancellationToken ct) =>
        await db.Addons.AsNoTracking().Where(a => a.AppId == app.Id).OrderBy(a => a.CreatedAt).ToListAsync(ct);

    /// <summary>The add-ons of every app the caller may see, by app key, then oldest first (Heroku's <c>GET /addons</c>).</summary>
    public Task<List<OwnedAddon>> ListAllAsync(Caller caller, CancellationToken ct) => OwnedAsync(caller, db.Addons, ct);

    /// <summary>
    /// The attached add-ons of every app the caller may see (Heroku's <c>GET /addon-attachments</c>):
    /// an add-on is attached, to its own app, while it is provisioned.
    /// </summary>
    public Task<List<OwnedAddon>> AttachmentsAsync(Caller caller, CancellationToken ct) =>
        OwnedAsync(caller, db.Addons.Where(a => a.State == AddonState.Provisioned), ct);

    /// <summary>The app's attached add-ons, oldest first.</summary>
    public async Task<List<Addon>> AttachmentsAsync(App app, CancellationToken ct) =>
        await db.Addons.AsNoTracking().Where(a => a.AppId == app.Id && a.State == AddonState.Provisioned).OrderBy(a => a.CreatedAt).ToListAsync(ct);

    /// <summary>An attachment of the app by its id, its add-on's id or its name (the add-on's).</summary>
    public async Task<Answer<Addon>> FindAttachmentAsync(App app, string reference, CancellationToken ct)
    {
        var attached = db.Addons.AsNoTracking().Where(a => a.AppId == app.Id && a.State == AddonState.Provisioned);
        var found = Guid.TryParse(reference, out var id)
            ? await attached.FirstOrDefaultAsync(a => a.BindingId == id || a.Id == id, ct)
            : await attached.FirstOrDefaultAsync(a => a.Name == reference.ToLowerInvariant(), ct);
        return found is null ? Refusal.NotFound($"Add-on attachment '{reference}' not found for {app.Key}.") : found;
    }

    /// <summary>An add-on of the app by id or name.</summary>
    public async Task<Answer<Addon>> FindAsync(App app, string reference, CancellationToken ct) =>
        await AddonQueries.ByReference(db, app.Id, reference).AsNoTracking().FirstOrDefaultAsync(ct) is { } addon
            ? addon
            : Refusal.NotFound($"Add-on '{reference}' not found for {app.Key}.");

    /// <summary>Attaches an add-on of <c>SERVICE[:PLAN]</c> (the service's first plan by default), named or with a new Heroku-style name.</summary>
    public async Task<Answer<AddonChange>> CreateAsync(App app, Caller caller, CreateAddonRequest request, CancellationToken ct)
    {
        var wanted = request.Plan?.Trim();
        if (string.IsNullOrEmpty(wanted))
        {
            return Refusal.Invalid("'plan' is required: SERVICE:PLAN, or SERVICE for its default plan (aka addons:services and aka addons:plans SERVICE list them).", nameof(request.Plan));
        }

        var colon = wanted.IndexOf(':', StringComparison.Ordinal);
        var serviceName = colon < 0 ? wanted : wanted[..colon];
        var planName = colon < 0 ? null : wanted[(colon + 1)..];
        var lookup = await registry.FindServiceAsync(serviceName, ct);
        if (lookup.Refused)
        {
            return lookup.Refusal with { Param = nameof(request.Plan) };
        }

        var (broker, service) = lookup.Value;
        var plans = service.Plans ?? [];
        var plan = planName is null ? plans.FirstOrDefault() : plans.FirstOrDefault(p => p.Name == planName);
        if (plan is null)
        {
            return Refusal.Invalid($"The {service.Name} service has no plan '{planName}'; its plans are: {string.Join(", ", plans.Select(p => $"{service.Name}:{p.Name}"))}.", nameof(request.Plan));
        }

        var name = request.Name?.Trim().ToLowerInvariant();
        if (name is not null && BrokerNames.Problem(name) is { } nameProblem)
        {
            return Refusal.Invalid($"Add-on name {nameProblem}", nameof(request.Name));
        }

        name ??= await NewNameAsync(app.Id, service.Name, ct);
        if (await db.Addons.AnyAsync(a => a.AppId == app.Id && a.Name == name, ct))
        {
            return Refusal.Conflict($"{app.Key} already has an add-on named {name}.", nameof(request.Name));
        }

        // The catalog may say which vars the binding will give: a clash is then refused before anything is provisioned.
        var declared = service.DeclaredConfigVars;
        if (declared.Count > 0)
        {
            var userConfig = (await ReleaseQueries.CurrentAsync(db, app.Id, ct))?.ConfigVars ?? [];
            if (AddonConfig.AttachClash(name, declared, userConfig, await AddonQueries.AttachedAsync(db, app.Id, ct), app.Key) is { } clash)
            {
                return Refusal.Conflict(clash, nameof(request.Plan));
            }
        }

        var parameters = request.Config is null ? null : JsonSerializer.Serialize(request.Config);
        var addon = Addon.Create(app.Id, name, broker.Name, new CatalogPlan(broker, service, plan), parameters, caller.UserId, clock.GetUtcNow());
        db.Addons.Add(addon);
        if (!await db.TrySaveUniqueAsync(ct))
        {
            return Refusal.Conflict($"{app.Key} already has an add-on named {name}.", nameof(request.Name));
        }

        var job = await jobs.EnqueueAsync(addon.Id, AddonJobKind.Provision, resumed: false, CancellationToken.None);
        var outcome = await job.WaitAsync(options.Value.RequestWait, ct);
        if (outcome is null)
        {
            return new AddonChange(await NowAsync(addon.Id, ct), Done: false);
        }

        if (!outcome.Succeeded)
        {
            return outcome.Refusal;
        }

        return new AddonChange(await NowAsync(addon.Id, ct), Done: true, outcome.ReleaseVersion);
    }

    /// <summary>
    /// Detaches (a Detach release) and then unbinds and deprovisions. A broker failure keeps the
    /// add-on listed as <c>deprovision_failed</c>, and destroying it again retries.
    /// <paramref name="confirm"/>, when given, must be the app's key.
    /// </summary>
    public async Task<Answer<AddonChange>> DestroyAsync(App app, Caller caller, string reference, string? confirm, CancellationToken ct)
    {
        if (confirm is not null && confirm != app.Key)
        {
            return Refusal.Invalid($"The confirmation '{confirm}' does not match the app {app.Key}.");
        }

        var found = await FindAsync(app, reference, ct);
        if (found.Refused)
        {
            return found.Refusal;
        }

        var addon = found.Value;
        int? released = null;
        switch (addon.State)
        {
            case AddonState.Provisioning:
                return Refusal.Conflict($"{addon.Name} is still being provisioned; destroy it once it is provisioned (aka addons:info {addon.Name} -a {app.Key}).");
            case AddonState.Failed:
                await lifecycle.ForgetFailedAsync(addon.Id, ct);
                return new AddonChange(addon, Done: true);
            case AddonState.Provisioned:
                var detached = await lifecycle.DetachAsync(app, caller, addon.Id, ct);
                if (detached.Refusal is { } refusal)
                {
                    return refusal;
                }

                released = detached.Release!.Version;
                break;
        }

        var job = await jobs.EnqueueAsync(addon.Id, AddonJobKind.Deprovision, resumed: false, CancellationToken.None);
        var outcome = await job.WaitAsync(options.Value.RequestWait, ct);
        return outcome switch
        {
            // The deprovision may finish between the wait running out and this read: gone is done.
            null => await db.Addons.AsNoTracking().SingleOrDefaultAsync(a => a.Id == addon.Id, ct) is { } now
                ? new AddonChange(now, Done: false, released)
                : new AddonChange(addon, Done: true, released),
            { Succeeded: true } => new AddonChange(addon, Done: true, released),
            _ => new AddonChange(addon, Done: false, released, outcome.Refusal),
        };
    }

    private Task<List<OwnedAddon>> OwnedAsync(Caller caller, IQueryable<Addon> addons, CancellationToken ct) =>
        (from addon in addons.AsNoTracking()
         join app in access.Apps(caller).AsNoTracking() on addon.AppId equals app.Id
         orderby app.Key, addon.CreatedAt
         select new OwnedAddon(addon, app))
        .ToListAsync(ct);

    private Task<Addon> NowAsync(Guid id, CancellationToken ct) => db.Addons.AsNoTracking().SingleAsync(a => a.Id == id, ct);

    /// <summary>Heroku-style: <c>postgresql-swift-4821</c>, unique within the app.</summary>
    private async Task<string> NewNameAsync(Guid appId, string service, CancellationToken ct)
    {
        var stem = new string([.. service.ToLowerInvariant().Select(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) ? c : '-')]).Trim('-');
        if (stem.Length == 0 || !char.IsAsciiLetterLower(stem[0]))
        {
            stem = "addon-" + stem;
        }

        stem = stem[..Math.Min(stem.Length, 40)];
        while (true)
        {
            var name = $"{stem}-{Words[RandomNumberGenerator.GetInt32(Words.Length)]}-{RandomNumberGenerator.GetInt32(1000, 10000)}";
            if (!await db.Addons.AnyAsync(a => a.AppId == appId && a.Name == name, ct))
            {
                return name;
            }
        }
    }
}
