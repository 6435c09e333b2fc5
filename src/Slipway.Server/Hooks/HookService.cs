using Microsoft.EntityFrameworkCore;
using Slipway.Contracts;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Http;

namespace Slipway.Server.Hooks;

/// <summary>A hook with its newest delivery attempt (null before its first).</summary>
public sealed record HookView(AppHook Hook, HookAttempt? LastAttempt);

/// <summary>
/// An app's webhooks (Akkeris's <c>/apps/{app}/hooks</c>): made, read, changed and removed by
/// whoever may see the app, and their delivery results. Events are raised by <see cref="HookEvents"/>
/// and sent by <see cref="HookDeliverer"/>.
/// </summary>
public sealed class HookService(SlipwayDb db, TimeProvider clock)
{
    /// <summary>How many attempts <c>results</c> answers, newest first.</summary>
    public const int MaxResults = 100;

    public const int MaxHooksPerApp = 50;

    public async Task<List<HookView>> ListAsync(App app, CancellationToken ct)
    {
        var hooks = await db.AppHooks.AsNoTracking().Where(h => h.AppId == app.Id).OrderBy(h => h.CreatedAt).ToListAsync(ct);
        var views = new List<HookView>(hooks.Count);
        foreach (var hook in hooks)
        {
            views.Add(new HookView(hook, await LastAttemptAsync(hook.Id, ct)));
        }

        return views;
    }

    public async Task<Answer<HookView>> CreateAsync(App app, CreateHookRequest request, CancellationToken ct)
    {
        if (HookUrl.Problem(request.Url) is { } urlProblem)
        {
            return Refusal.Invalid(urlProblem, nameof(request.Url));
        }

        if (EventsProblem(request.Events) is { } eventsProblem)
        {
            return Refusal.Invalid(eventsProblem, nameof(request.Events));
        }

        if (SecretProblem(request.Secret) is { } secretProblem)
        {
            return Refusal.Invalid(secretProblem, nameof(request.Secret));
        }

        if (await db.AppHooks.CountAsync(h => h.AppId == app.Id, ct) >= MaxHooksPerApp)
        {
            return Refusal.Conflict($"{app.Key} has {MaxHooksPerApp} hooks already; remove one first.");
        }

        var hook = AppHook.Create(app.Id, request.Url!, request.Events!.Distinct(StringComparer.Ordinal), request.Active ?? true, request.Secret!, clock.GetUtcNow());
        db.AppHooks.Add(hook);
        await db.SaveChangesAsync(ct);
        return new HookView(hook, null);
    }

    public async Task<Answer<HookView>> FindAsync(App app, string id, CancellationToken ct)
    {
        var hook = await FindHookAsync(app, id, tracked: false, ct);
        return hook is null ? NotFound(app, id) : new HookView(hook, await LastAttemptAsync(hook.Id, ct));
    }

    public async Task<Answer<HookView>> UpdateAsync(App app, string id, UpdateHookRequest request, CancellationToken ct)
    {
        var hook = await FindHookAsync(app, id, tracked: true, ct);
        if (hook is null)
        {
            return NotFound(app, id);
        }

        if (request.Url is not null && HookUrl.Problem(request.Url) is { } urlProblem)
        {
            return Refusal.Invalid(urlProblem, nameof(request.Url));
        }

        if (request.Events is not null && EventsProblem(request.Events) is { } eventsProblem)
        {
            return Refusal.Invalid(eventsProblem, nameof(request.Events));
        }

        if (request.Secret is not null && SecretProblem(request.Secret) is { } secretProblem)
        {
            return Refusal.Invalid(secretProblem, nameof(request.Secret));
        }

        hook.Change(request.Url, request.Events?.Distinct(StringComparer.Ordinal), request.Active, request.Secret, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return new HookView(hook, await LastAttemptAsync(hook.Id, ct));
    }

    /// <summary>Removes a hook with what it was still owed and its results.</summary>
    public async Task<Answer<HookView>> DeleteAsync(App app, string id, CancellationToken ct)
    {
        var hook = await FindHookAsync(app, id, tracked: false, ct);
        if (hook is null)
        {
            return NotFound(app, id);
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.HookDeliveries.Where(d => d.HookId == hook.Id).ExecuteDeleteAsync(ct);
        await db.AppHooks.Where(h => h.Id == hook.Id).ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
        return new HookView(hook, null);
    }

    /// <summary>The hook's newest delivery attempts (at most <see cref="MaxResults"/>), newest first.</summary>
    public async Task<Answer<(AppHook Hook, List<HookAttempt> Attempts)>> ResultsAsync(App app, string id, CancellationToken ct)
    {
        var hook = await FindHookAsync(app, id, tracked: false, ct);
        if (hook is null)
        {
            return NotFound(app, id);
        }

        return (hook, await AttemptsOf(hook.Id).Take(MaxResults).ToListAsync(ct));
    }

    /// <summary>The app's hooks, each with its newest <paramref name="attempts"/> attempts, newest first: what the dashboard shows.</summary>
    public async Task<List<(AppHook Hook, List<HookAttempt> Attempts)>> RecentAsync(App app, int attempts, CancellationToken ct)
    {
        var hooks = await db.AppHooks.AsNoTracking().Where(h => h.AppId == app.Id).OrderBy(h => h.CreatedAt).ToListAsync(ct);
        var recent = new List<(AppHook, List<HookAttempt>)>(hooks.Count);
        foreach (var hook in hooks)
        {
            recent.Add((hook, await AttemptsOf(hook.Id).Take(attempts).ToListAsync(ct)));
        }

        return recent;
    }

    /// <summary>Why <paramref name="events"/> is not a valid list of events, or null.</summary>
    public static string? EventsProblem(IReadOnlyList<string>? events)
    {
        var known = string.Join(", ", HookEvents.Names);
        if (events is null || events.Count == 0)
        {
            return $"events must list at least one of: {known}.";
        }

        var unknown = events.Where(e => !HookEvents.Names.Contains(e, StringComparer.Ordinal)).Select(e => $"'{e}'").ToList();
        return unknown.Count == 0 ? null : $"Unknown event{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown)}; events are: {known}.";
    }

    private static string? SecretProblem(string? secret) =>
        string.IsNullOrEmpty(secret) ? "secret is required: each delivery is signed with it (x-akkeris-signature)."
        : secret.Length > AppHook.MaxSecretLength ? $"secret is {secret.Length} characters; at most {AppHook.MaxSecretLength} are allowed."
        : null;

    private static Refusal NotFound(App app, string id) => Refusal.NotFound($"Hook '{id}' not found for {app.Key}.");

    private async Task<AppHook?> FindHookAsync(App app, string id, bool tracked, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var hookId))
        {
            return null;
        }

        var hooks = tracked ? db.AppHooks : db.AppHooks.AsNoTracking();
        return await hooks.FirstOrDefaultAsync(h => h.Id == hookId && h.AppId == app.Id, ct);
    }

    private Task<HookAttempt?> LastAttemptAsync(Guid hookId, CancellationToken ct) => AttemptsOf(hookId).FirstOrDefaultAsync(ct);

    /// <summary>A hook's attempts with their deliveries, newest first.</summary>
    private IQueryable<HookAttempt> AttemptsOf(Guid hookId) =>
        db.HookAttempts.AsNoTracking().Include(a => a.Delivery)
            .Where(a => a.HookId == hookId)
            .OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Number);
}
