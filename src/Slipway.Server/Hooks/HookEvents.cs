using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Slipway.Contracts;
using Slipway.Server.Apps;
using Slipway.Server.Builds;
using Slipway.Server.Data;
using Slipway.Server.Pipelines;
using Slipway.Server.Releases;

namespace Slipway.Server.Hooks;

/// <summary>
/// The one place webhook events are raised. Each feature calls it where its change happens, with the
/// context the change is saved through: the events go into that context as <see cref="HookDelivery"/>
/// rows (one per hook that wants the event) and are saved with the change itself, in its transaction,
/// so a change that is saved has its events saved too. <see cref="HookDeliverer"/> sends them later;
/// nothing here waits on a receiver. Payloads follow Akkeris's: <c>action</c>, <c>key</c>,
/// <c>app {id, name}</c>, <c>space {name}</c>, then the event's own part. No config var value is
/// ever in a payload, only names.
/// </summary>
public sealed class HookEvents(TimeProvider clock)
{
    public const string Release = "release";
    public const string Released = "released";
    public const string Build = "build";
    public const string ConfigChange = "config_change";
    public const string AddonChange = "addon_change";
    public const string FormationChange = "formation_change";
    public const string PipelinePromotion = "pipeline_promotion";
    public const string Destroy = "destroy";

    /// <summary>Every event a hook may ask for.</summary>
    public static IReadOnlyList<string> Names { get; } = [Release, Released, Build, ConfigChange, AddonChange, FormationChange, PipelinePromotion, Destroy];

    private readonly SemaphoreSlim _raised = new(0, 1);

    /// <summary>A release was made (pending); a config or add-on change also raises its own event.</summary>
    public async Task ReleaseCreatedAsync(SlipwayDb db, App app, Release release, IReadOnlyDictionary<string, string>? previousConfig, CancellationToken ct)
    {
        // One read of the app's hooks for both events of the change.
        var active = await ActiveHooksAsync(db, app.Id, ct);
        if (active.Count == 0)
        {
            return;
        }

        await RaiseAsync(db, app.Id, active, Release, subject => With(subject, Release, new { release = ReleaseOf(release) }), ct);
        switch (release.Trigger)
        {
            case ReleaseTrigger.Config:
                var before = previousConfig ?? new Dictionary<string, string>();
                var changes = release.ConfigVars.Where(kv => !before.TryGetValue(kv.Key, out var old) || old != kv.Value)
                    .Select(kv => new { type = before.ContainsKey(kv.Key) ? "update" : "create", name = kv.Key })
                    .Concat(before.Keys.Where(k => !release.ConfigVars.ContainsKey(k)).Select(k => new { type = "delete", name = k }))
                    .OrderBy(c => c.name, StringComparer.Ordinal)
                    .ToList();
                await RaiseAsync(db, app.Id, active, ConfigChange, subject => With(subject, ConfigChange, new { changes, release = ReleaseOf(release) }), ct);
                break;
            case ReleaseTrigger.Addon:
                await RaiseAsync(db, app.Id, active, AddonChange, subject => With(subject, AddonChange, new
                {
                    change = release.Description,
                    addons = release.Addons.Select(a => new { id = a.AddonId, name = a.Name, plan = a.PlanFullName }),
                    release = ReleaseOf(release),
                }), ct);
                break;
        }
    }

    /// <summary>A release became live (succeeded); <c>release.rollback</c> says whether it was a rollback.</summary>
    public Task ReleasedAsync(SlipwayDb db, Release release, CancellationToken ct) =>
        RaiseAsync(db, release.AppId, Released, subject => With(subject, Released, new
        {
            release = ReleaseOf(release),
            slug = new { id = release.SlugId },
            released_at = release.UpdatedAt,
        }), ct);

    /// <summary>A build ended, succeeded or failed.</summary>
    public Task BuildEndedAsync(SlipwayDb db, Build build, CancellationToken ct) =>
        RaiseAsync(db, build.AppId, Build, subject => With(subject, Build, new
        {
            build = new
            {
                id = build.Id,
                result = Name(build.Status),
                failure_reason = build.FailureReason,
                commit = build.Commit,
                author = build.Author,
                message = build.Message,
                repo = build.Repo,
                branch = build.Branch,
                release = build.ReleaseVersion is { } version ? new { id = build.ReleaseId, version } : null,
                created_at = build.CreatedAt,
            },
        }), ct);

    /// <summary>The formation changed: the quantities now, and the process types this change touched.</summary>
    public Task FormationChangedAsync(SlipwayDb db, App app, IReadOnlyDictionary<string, int> formation, IEnumerable<string> changed, CancellationToken ct)
    {
        var types = changed.ToHashSet(StringComparer.Ordinal);
        return RaiseAsync(db, app.Id, FormationChange, subject => With(subject, FormationChange, new
        {
            changes = formation.Where(f => types.Contains(f.Key)).OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => new { type = f.Key, quantity = f.Value }),
            formation = formation.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => new { type = f.Key, quantity = f.Value }),
        }), ct);
    }

    /// <summary>A promotion released <paramref name="release"/> on <paramref name="target"/>: raised on the target app.</summary>
    public Task PromotedAsync(SlipwayDb db, PipelinePromotion promotion, Pipeline pipeline, App target, Release release, CancellationToken ct) =>
        RaiseAsync(db, target.Id, PipelinePromotion, subject => With(subject, PipelinePromotion, new
        {
            promotion = new { id = promotion.Id },
            pipeline = new { id = pipeline.Id, name = pipeline.Name },
            source = new { app = new { id = promotion.SourceAppId, name = promotion.SourceAppKey }, release = new { id = promotion.SourceReleaseId, version = promotion.SourceVersion } },
            release = ReleaseOf(release),
        }), ct);

    /// <summary>The app is being destroyed: raised before its rows go, delivered after.</summary>
    public Task DestroyedAsync(SlipwayDb db, App app, CancellationToken ct) =>
        RaiseAsync(db, app.Id, Destroy, subject => With(subject, Destroy, new { destroyed_at = clock.GetUtcNow() }), ct);

    /// <summary>Waits until an event is raised on this server, or <paramref name="timeout"/> passes.</summary>
    internal Task WaitForRaisedAsync(TimeSpan timeout, CancellationToken ct) => _raised.WaitAsync(timeout, ct);

    /// <summary>Adds a delivery of <paramref name="event"/> for each of the app's active hooks that wants it, to be saved with the caller's change.</summary>
    private async Task RaiseAsync(SlipwayDb db, Guid appId, string @event, Func<Subject, Dictionary<string, object?>> payload, CancellationToken ct) =>
        await RaiseAsync(db, appId, await ActiveHooksAsync(db, appId, ct), @event, payload, ct);

    /// <summary>The same, on the app's active hooks the caller read already (<paramref name="active"/>).</summary>
    private async Task RaiseAsync(SlipwayDb db, Guid appId, IReadOnlyList<AppHook> active, string @event, Func<Subject, Dictionary<string, object?>> payload, CancellationToken ct)
    {
        var hooks = active.Where(h => h.Wants(@event)).ToList();
        if (hooks.Count == 0)
        {
            return;
        }

        var subject = await db.Apps.AsNoTracking().Where(a => a.Id == appId)
            .Select(a => new Subject(a.Id, a.Name, a.Space.Name, a.Key))
            .SingleAsync(ct);
        var body = JsonSerializer.Serialize(payload(subject), SlipwayJson.Options);
        var now = clock.GetUtcNow();
        db.HookDeliveries.AddRange(hooks.Select(h => HookDelivery.Create(h, @event, body, now)));
        if (_raised.CurrentCount == 0)
        {
            try
            {
                _raised.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another raise woke the deliverer first; one wake-up is enough.
            }
        }
    }

    private static async Task<List<AppHook>> ActiveHooksAsync(SlipwayDb db, Guid appId, CancellationToken ct) =>
        await db.AppHooks.AsNoTracking().Where(h => h.AppId == appId && h.Active).ToListAsync(ct);

    private static Dictionary<string, object?> With(Subject subject, string action, object details)
    {
        var payload = new Dictionary<string, object?>
        {
            ["action"] = action,
            ["key"] = subject.Key,
            ["app"] = new { id = subject.AppId, name = subject.AppName },
            ["space"] = new { name = subject.Space },
        };
        foreach (var property in JsonSerializer.SerializeToElement(details, SlipwayJson.Options).EnumerateObject())
        {
            payload[property.Name] = property.Value;
        }

        return payload;
    }

    private static object ReleaseOf(Release release) => new
    {
        id = release.Id,
        version = release.Version,
        description = release.Description,
        result = Name(release.Status),
        trigger = release.Trigger.ToString().ToLowerInvariant(),
        rollback = release.Trigger == ReleaseTrigger.Rollback,
        rollback_of = release.RollbackOf,
        build = release.BuildId is { } build ? new { id = build } : null,
        created_at = release.CreatedAt,
    };

    private static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => value.ToString().ToLowerInvariant();

    private sealed record Subject(Guid AppId, string AppName, string Space, string Key);
}
