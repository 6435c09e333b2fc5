using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Contracts;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Hooks;
using Slipway.Server.Http;
using Slipway.Server.Releases;

namespace Slipway.Server.Runtime;

/// <summary>One process type of a formation: how many should run, and its command.</summary>
public sealed record FormationEntry(string Type, int Quantity, string Command);

/// <summary>
/// An app's formation as it stands: the process types of its current release's slug, and what
/// was saved for it (quantities, web health check, boot timeout).
/// </summary>
public sealed record Formation(IReadOnlyDictionary<string, string> ProcessTypes, RuntimeSettings? Settings, int BootTimeoutSeconds)
{
    /// <summary>Every runnable process type, <c>web</c> first, then by name.</summary>
    public IReadOnlyList<FormationEntry> Entries =>
    [
        .. RuntimeSettings.FormationOf(Settings, ProcessTypes)
            .OrderBy(q => q.Key == ReleaseSpec.WebType ? 0 : 1)
            .ThenBy(q => q.Key, StringComparer.Ordinal)
            .Select(q => new FormationEntry(q.Key, q.Value, ProcessTypes[q.Key])),
    ];
}

/// <summary>
/// The formation (how many processes of each type run), the web health check and the boot
/// timeout. A change is no release: it is saved, then the runtime converges on it.
/// </summary>
public sealed class FormationService(SlipwayDb db, Deployer deployer, TimeProvider clock, IOptions<RuntimeOptions> options, HookEvents hooks)
{
    public const int MaxBootTimeoutSeconds = 3600;

    public async Task<Formation> GetAsync(App app, CancellationToken ct) =>
        Of(await ProcessTypesAsync(app, ct), await db.RuntimeSettings.AsNoTracking().FirstOrDefaultAsync(s => s.AppId == app.Id, ct));

    /// <summary>
    /// Changes quantities (absolute, or relative as Heroku's <c>"+1"</c>), the health check and the
    /// boot timeout, then has the runtime converge. Nothing changes unless every update is valid.
    /// </summary>
    public async Task<Answer<Formation>> ChangeAsync(App app, FormationPatchRequest request, CancellationToken ct)
    {
        var updates = request.Updates ?? [];
        if (updates.Count == 0 && request.BootTimeout is null)
        {
            return Refusal.Invalid("Nothing to change: give 'updates' ([{\"type\": \"web\", \"quantity\": 2}]) and/or 'boot_timeout'.");
        }

        var processTypes = await ProcessTypesAsync(app, ct);
        var settings = await db.RuntimeSettings.FirstOrDefaultAsync(s => s.AppId == app.Id, ct);
        var quantities = RuntimeSettings.FormationOf(settings, processTypes);
        if (Problem(app, updates, request.BootTimeout, processTypes, quantities) is { } problem)
        {
            return Refusal.Invalid(problem);
        }

        var now = clock.GetUtcNow();
        if (settings is null)
        {
            settings = RuntimeSettings.Create(app.Id, now);
            db.RuntimeSettings.Add(settings);
        }

        foreach (var update in updates)
        {
            if (update.Quantity is not null)
            {
                settings.Scale(update.Type!, quantities[update.Type!], now);
            }

            if (update.Healthcheck is { } path)
            {
                settings.SetHealthCheck(path, now);
            }
        }

        if (request.BootTimeout is { } seconds)
        {
            settings.SetBootTimeout(seconds, now);
        }

        await hooks.FormationChangedAsync(db, app, RuntimeSettings.FormationOf(settings, processTypes), updates.Select(u => u.Type!), ct);
        if (!await db.TrySaveUniqueAsync(ct))
        {
            return Refusal.Conflict($"The formation of {app.Key} was changed at the same moment; try again.");
        }

        await deployer.EnqueueAsync(new RuntimeJob.Converge(app.Id), CancellationToken.None);
        return Of(processTypes, settings);
    }

    /// <summary>The process types of the slug the app runs or is about to run (the current release's).</summary>
    public async Task<IReadOnlyDictionary<string, string>> ProcessTypesAsync(App app, CancellationToken ct)
    {
        var current = await ReleaseQueries.CurrentAsync(db, app.Id, ct);
        if (current?.SlugId is not { } slugId)
        {
            return new Dictionary<string, string>();
        }

        var slug = await db.Slugs.AsNoTracking().FirstOrDefaultAsync(s => s.Id == slugId, ct);
        return slug?.ProcessTypes ?? [];
    }

    private Formation Of(IReadOnlyDictionary<string, string> processTypes, RuntimeSettings? settings) =>
        new(processTypes, settings, settings?.BootTimeoutSeconds ?? options.Value.BootTimeoutSeconds);

    /// <summary>
    /// Why the updates cannot be made, or null; <paramref name="quantities"/> (the quantities now) is
    /// left holding the quantity each update asks for, relative ones applied in order.
    /// </summary>
    private string? Problem(App app, List<FormationUpdate> updates, int? bootTimeout, IReadOnlyDictionary<string, string> processTypes, Dictionary<string, int> quantities)
    {
        if (bootTimeout is < 1 or > MaxBootTimeoutSeconds)
        {
            return $"boot_timeout must be between 1 and {MaxBootTimeoutSeconds} seconds.";
        }

        if (updates.Count > 0 && processTypes.Count == 0)
        {
            return $"{app.Key} has no code deployed yet: there are no process types to scale.";
        }

        foreach (var update in updates)
        {
            if (update is null)
            {
                return "Every update must be an object such as {\"type\": \"web\", \"quantity\": 2}.";
            }

            if (string.IsNullOrEmpty(update.Type))
            {
                return "Every update needs a 'type' (a process type of the app's slug, e.g. web).";
            }

            if (update.Type == ReleaseSpec.ReleasePhaseType)
            {
                return "The release process type runs once per release; it cannot be scaled.";
            }

            if (!processTypes.ContainsKey(update.Type))
            {
                var known = string.Join(", ", processTypes.Keys.Where(t => t != ReleaseSpec.ReleasePhaseType).Order(StringComparer.Ordinal));
                return $"{app.Key} has no process type '{update.Type}' (it has: {(known.Length > 0 ? known : "none")}).";
            }

            if (update.Quantity is { } quantity)
            {
                var wanted = quantity.ApplyTo(quantities[update.Type]);
                if (wanted < 0 || wanted > options.Value.MaxQuantity)
                {
                    var asked = quantity.Relative ? $" ({update.Type}{quantity} would make {wanted})" : "";
                    return $"The quantity of {update.Type} must be between 0 and {options.Value.MaxQuantity}{asked}.";
                }

                quantities[update.Type] = wanted;
            }

            if (update.Size is { } size && !Platform.IsSize(size))
            {
                return $"Slipway runs every process at one size, '{Platform.Size}': there is no size '{size}'.";
            }

            if (update.Healthcheck is { } path)
            {
                if (update.Type != ReleaseSpec.WebType)
                {
                    return "Only web processes have a health check.";
                }

                if (path.Length > 0 && (!path.StartsWith('/') || path.Length > RuntimeSettings.MaxHealthCheckPathLength || path.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
                {
                    return $"The health check must be a path starting with '/' of at most {RuntimeSettings.MaxHealthCheckPathLength} characters, without spaces (\"\" removes it).";
                }
            }

            if (update.Quantity is null && update.Healthcheck is null && update.Size is null)
            {
                return $"The update of {update.Type} changes nothing: give 'quantity' and/or 'healthcheck'.";
            }
        }

        return null;
    }
}
