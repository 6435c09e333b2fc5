using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Addons;
using Slipway.Server.Apps;
using Slipway.Server.Builds;
using Slipway.Server.Data;
using Slipway.Server.Hooks;
using Slipway.Server.Http;
using Slipway.Server.Runtime;

namespace Slipway.Server.Releases;

/// <summary>What a change sees when it decides the next release, under the app's lock.</summary>
/// <param name="Current">The current release (the newest that did not fail): what a change builds on.</param>
/// <param name="ServingVersion">The serving release (the newest succeeded).</param>
/// <param name="LatestVersion">The newest release of any status (0 when none).</param>
public sealed record ReleaseState(Release? Current, int? ServingVersion, int LatestVersion);

/// <summary>A change's decision: make this release, refuse with a reason, or nothing to do.</summary>
public abstract record ReleasePlan
{
    /// <summary>Make this release; <paramref name="Created"/> may record it on the change's own entities, saved in the same transaction.</summary>
    public sealed record Create(ReleaseDraft Draft, Action<Release>? Created = null) : ReleasePlan;

    public sealed record Refuse(Refusal Refusal) : ReleasePlan;

    /// <summary>What the change asks for exists already as <paramref name="Release"/> (a build that released): answer it, make nothing.</summary>
    public sealed record Existing(Release Release) : ReleasePlan;

    public sealed record Unchanged(string Message) : ReleasePlan;
}

/// <summary>Guards a POST may carry: a key that makes retries safe, and the version the client last saw.</summary>
public sealed record ReleaseConditions(string? IdempotencyKey = null, int? ExpectedLatestVersion = null)
{
    public static ReleaseConditions None { get; } = new();
}

/// <summary>The result of <see cref="ReleaseService.AppendAsync"/>: exactly one of <see cref="Release"/>, <see cref="Refusal"/> and <see cref="Unchanged"/> is set.</summary>
/// <param name="Replayed">The release was made earlier, by a request with the same idempotency key.</param>
/// <param name="Existing">The release was made earlier by what the request names (a build that released); nothing new was made.</param>
public sealed record ReleaseOutcome(Release? Release, bool Replayed, Refusal? Refusal, string? Unchanged, bool Existing = false)
{
    public static ReleaseOutcome Refused(Refusal refusal) => new(null, false, refusal, null);
}

/// <summary>
/// A release with what its API shape needs besides itself: the current version (what <c>current</c>
/// and <c>eligible_for_rollback</c> are measured against), for a rollback the release it went back
/// to, and the combined state of its release statuses.
/// </summary>
public sealed record ReleaseView(Release Release, int? CurrentVersion, Release? RollbackTarget, StatusCheckState State = StatusCheckState.Success);

/// <summary>
/// One page of an app's history; <see cref="More"/> when another page follows, and
/// <see cref="NextRange"/> the <c>Range</c> that asks for it.
/// </summary>
public sealed record ReleasePage(IReadOnlyList<ReleaseView> Releases, bool More, string? NextRange);

/// <summary>What a release's release phase printed; <see cref="Output"/> is null when it printed nothing (or had none).</summary>
public sealed record ReleasePhase(Release Release, ReleasePhaseOutput? Output);

/// <summary>
/// The one place releases are made. Every trigger (deploy, config, add-on, rollback) goes
/// through <see cref="AppendAsync"/>, which takes the app's row lock by bumping its release
/// counter, lets the change decide on a consistent view, and inserts the release in the same
/// transaction: versions are gapless and unique on SQLite and PostgreSQL alike. It also reads
/// the history for the API and the dashboard.
/// </summary>
public sealed class ReleaseService(SlipwayDb db, WriteGate gate, TimeProvider clock, Deployer deployer, ReleaseStatusService statuses, ProcessIsolation isolation, HookEvents hooks)
{
    public const int MaxIdempotencyKeyLength = 255;

    public async Task<ReleaseOutcome> AppendAsync(
        App app,
        Caller caller,
        Func<ReleaseState, CancellationToken, Task<ReleasePlan>> plan,
        ReleaseConditions conditions,
        CancellationToken ct)
    {
        var queued = await gate.EnterAsync(db, ct);
        try
        {
            return await AppendGatedAsync(app, caller, plan, conditions, queued, ct);
        }
        finally
        {
            queued?.Dispose();
        }
    }

    /// <summary>
    /// <see cref="AppendAsync"/> inside the write gate; it leaves the gate (<paramref name="queued"/>)
    /// as soon as the transaction commits, so the next writer does not wait for the deploy's enqueue.
    /// </summary>
    private async Task<ReleaseOutcome> AppendGatedAsync(
        App app,
        Caller caller,
        Func<ReleaseState, CancellationToken, Task<ReleasePlan>> plan,
        ReleaseConditions conditions,
        IDisposable? queued,
        CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);

        // The UPDATE is the lock: concurrent appends to one app queue here until we commit.
        await db.Apps.Where(a => a.Id == app.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.ReleaseCounter, a => a.ReleaseCounter + 1), ct);
        var version = await db.Apps.Where(a => a.Id == app.Id).Select(a => a.ReleaseCounter).SingleAsync(ct);

        if (conditions.IdempotencyKey is { } key)
        {
            var earlier = await db.IdempotencyRecords
                .Where(r => r.UserId == caller.UserId && r.AppId == app.Id && r.Key == key)
                .Select(r => (Guid?)r.ReleaseId)
                .FirstOrDefaultAsync(ct);
            if (earlier is { } releaseId)
            {
                await tx.RollbackAsync(ct);
                return new ReleaseOutcome(await db.Releases.SingleAsync(r => r.Id == releaseId, ct), Replayed: true, null, null);
            }
        }

        var state = await ReleaseQueries.StateAsync(db, app.Id, latestVersion: version - 1, ct);
        if (conditions.ExpectedLatestVersion is { } expected && expected != state.LatestVersion)
        {
            await tx.RollbackAsync(ct);
            return ReleaseOutcome.Refused(Refusal.Conflict($"{app.Key} is at v{state.LatestVersion}, not v{expected}: another release got there first."));
        }

        switch (await plan(state, ct))
        {
            case ReleasePlan.Refuse refuse:
                await tx.RollbackAsync(ct);
                return ReleaseOutcome.Refused(refuse.Refusal);
            case ReleasePlan.Unchanged unchanged:
                await tx.RollbackAsync(ct);
                return new ReleaseOutcome(null, false, null, unchanged.Message);
            case ReleasePlan.Existing existing:
                await tx.RollbackAsync(ct);
                return new ReleaseOutcome(existing.Release, false, null, null, Existing: true);
            case ReleasePlan.Create create:
                var now = clock.GetUtcNow();
                var release = Release.Create(app.Id, version, await WithAddonsAsync(app.Id, create.Draft, ct), caller.UserId, now);
                db.Releases.Add(release);
                create.Created?.Invoke(release);
                if (conditions.IdempotencyKey is { } newKey)
                {
                    db.IdempotencyRecords.Add(IdempotencyRecord.Create(caller.UserId, app.Id, newKey, release.Id, now));
                }

                await hooks.ReleaseCreatedAsync(db, app, release, state.Current?.ConfigVars, ct);

                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                queued?.Dispose();

                // The release answers pending; the deployer takes it to succeeded or failed. Once
                // committed it must reach the deployer even if the client has gone away.
                await deployer.EnqueueDeployAsync(app.Id, CancellationToken.None);
                return new ReleaseOutcome(release, false, null, null);
            default:
                throw new InvalidOperationException("Unknown release plan.");
        }
    }

    /// <summary>
    /// <c>POST /apps/{app}/releases</c>: a rollback when the request names a release, a deploy
    /// of a slug when it names a slug or a build (exactly one of the two).
    /// </summary>
    public Task<ReleaseOutcome> CreateAsync(App app, Caller caller, CreateReleaseRequest request, string? idempotencyKey, CancellationToken ct)
    {
        if (idempotencyKey is { Length: 0 or > MaxIdempotencyKeyLength })
        {
            return Task.FromResult(ReleaseOutcome.Refused(Refusal.BadRequest($"Idempotency-Key must be 1 to {MaxIdempotencyKeyLength} characters.")));
        }

        if (isolation.RefuseDeploy(caller) is { } unisolated)
        {
            return Task.FromResult(ReleaseOutcome.Refused(unisolated));
        }

        var target = ReferenceOf(request.Release);
        if ((target is null) == (request.Slug is null))
        {
            return Task.FromResult(ReleaseOutcome.Refused(Refusal.Invalid("Give exactly one of 'slug' (deploy a slug) or 'release' (roll back to it: an id, N or \"vN\").")));
        }

        var conditions = new ReleaseConditions(idempotencyKey, request.ExpectedCurrentVersion);
        return target is not null
            ? RollbackAsync(app, caller, target, conditions, ct)
            : AppendAsync(app, caller, (state, token) => DeploySlugAsync(app, request.Slug!, state, token), conditions, ct);
    }

    /// <summary>Rolls back to <paramref name="reference"/> (id, N, vN, or <see cref="Rollback.Previous"/>) by the rules of <see cref="Rollback"/>.</summary>
    public Task<ReleaseOutcome> RollbackAsync(App app, Caller caller, string reference, ReleaseConditions conditions, CancellationToken ct) =>
        isolation.RefuseDeploy(caller) is { } unisolated
            ? Task.FromResult(ReleaseOutcome.Refused(unisolated))
            : AppendAsync(app, caller, (state, token) => Rollback.PlanAsync(db, app.Id, app.Key, reference, state, token), conditions, ct);

    /// <summary>
    /// One page of the app's history, each release with what the API shows of it. Without a range
    /// (<paramref name="range"/> null: no <c>Range</c> header), the newest page that ends with the
    /// current release (<see cref="ReleaseQueries.UnrangedPageAsync"/>), ascending.
    /// </summary>
    public async Task<ReleasePage> ListAsync(App app, VersionRange? range, CancellationToken ct)
    {
        var page = range ?? await ReleaseQueries.UnrangedPageAsync(db, app.Id, ct);
        var rows = await ReleaseQueries.Page(db, app.Id, page).ToListAsync(ct);
        var more = rows.Count > page.Max;
        List<Release> shown = [.. rows.Take(page.Max)];
        var next = more ? page.NextAfter(shown[^1].Version) : null;
        if (range is null)
        {
            shown.Reverse();
        }

        return new ReleasePage(await ViewsAsync(app, shown, ct), more, next);
    }

    /// <summary>A release of the app by id, N or vN.</summary>
    public async Task<Answer<ReleaseView>> FindAsync(App app, string reference, CancellationToken ct)
    {
        var row = ReleaseQueries.ByReference(db, app.Id, reference) is { } query
            ? await query.AsNoTracking().Include(r => r.Slug).Include(r => r.Build).Include(r => r.User).FirstOrDefaultAsync(ct)
            : null;
        return row is null ? NotFound(app, reference) : (await ViewsAsync(app, [row], ct))[0];
    }

    /// <summary>A release just made (or replayed), as the API answers it.</summary>
    public async Task<ReleaseView> ViewAsync(App app, Release release, CancellationToken ct)
    {
        var row = await ReleaseQueries.WithDetails(db).SingleAsync(r => r.Id == release.Id, ct);
        return (await ViewsAsync(app, [row], ct))[0];
    }

    /// <summary>The release phase's output of a release, for <c>aka releases:output</c>.</summary>
    public async Task<Answer<ReleasePhase>> PhaseAsync(App app, string reference, CancellationToken ct)
    {
        var row = ReleaseQueries.ByReference(db, app.Id, reference) is { } query
            ? await query.AsNoTracking().Include(r => r.Slug).FirstOrDefaultAsync(ct)
            : null;
        if (row is null)
        {
            return NotFound(app, reference);
        }

        return new ReleasePhase(row, await db.ReleasePhaseOutputs.AsNoTracking().FirstOrDefaultAsync(o => o.ReleaseId == row.Id, ct));
    }

    private static Refusal NotFound(App app, string reference) => Refusal.NotFound($"Release '{reference}' not found for {app.Key}.");

    /// <summary>The views of <paramref name="rows"/>: the current version, the rollbacks' targets and the statuses' states, each read once.</summary>
    private async Task<List<ReleaseView>> ViewsAsync(App app, List<Release> rows, CancellationToken ct)
    {
        var current = await ReleaseQueries.CurrentVersionAsync(db, app.Id, ct);
        var versions = rows.Where(r => r.RollbackOf is not null).Select(r => r.RollbackOf!.Value).Distinct().ToList();
        var targets = versions.Count == 0
            ? []
            : await db.Releases.AsNoTracking().Where(r => r.AppId == app.Id && versions.Contains(r.Version)).ToDictionaryAsync(r => r.Version, ct);
        var states = await statuses.CombinedAsync([.. rows.Select(r => r.Id)], ct);
        return
        [
            .. rows.Select(r => new ReleaseView(
                r,
                current,
                r.RollbackOf is { } version ? targets.GetValueOrDefault(version) : null,
                states.GetValueOrDefault(r.Id, StatusCheckState.Success))),
        ];
    }

    /// <summary>
    /// A deploy of a slug of this app, on the current release's config. The slug may be named by
    /// the build that made it (in Akkeris a build is its slug, and a built slug has its build's id):
    /// the release is then that build's (<c>Deploy &lt;8 hex of the build&gt;</c>, its commit), and a
    /// build that released already answers that release instead of making a second one.
    /// </summary>
    private async Task<ReleasePlan> DeploySlugAsync(App app, string slugId, ReleaseState state, CancellationToken ct)
    {
        var id = Guid.TryParse(slugId, out var parsed) ? parsed : (Guid?)null;
        var build = id is null ? null : await db.Builds.FirstOrDefaultAsync(b => b.Id == id && b.AppId == app.Id, ct);
        if (build is not null)
        {
            return await DeployBuildAsync(app, build, state, ct);
        }

        var slug = id is null ? null : await db.Slugs.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id && s.AppId == app.Id, ct);
        if (slug is null)
        {
            return new ReleasePlan.Refuse(Refusal.NotFound($"Slug '{slugId}' not found for {app.Key}."));
        }

        if (!slug.Uploaded)
        {
            return new ReleasePlan.Refuse(Refusal.Invalid($"Slug {slug.Id} has no content yet: PUT the tar.gz to its blob URL first."));
        }

        var config = state.Current?.ConfigVars ?? [];
        return new ReleasePlan.Create(new ReleaseDraft(slug.Id, config, $"Deploy {slug.Id.ToString("N")[..8]}", ReleaseTrigger.Deploy));
    }

    /// <summary>Releases a build's slug as the build's own release, under the app's lock (so a build is released once).</summary>
    private async Task<ReleasePlan> DeployBuildAsync(App app, Build build, ReleaseState state, CancellationToken ct)
    {
        if (build.ReleaseId is { } released && await db.Releases.AsNoTracking().FirstOrDefaultAsync(r => r.Id == released, ct) is { } existing)
        {
            return new ReleasePlan.Existing(existing);
        }

        if (build.Status != BuildStatus.Succeeded || build.SlugId is not { } slugId)
        {
            return new ReleasePlan.Refuse(Refusal.Invalid(build.Status == BuildStatus.Pending
                ? $"Build {build.Id} is still building; release it once it has succeeded."
                : $"Build {build.Id} failed, so it has no slug to release: {build.FailureReason}"));
        }

        var config = state.Current?.ConfigVars ?? [];
        return new ReleasePlan.Create(
            new ReleaseDraft(slugId, config, $"Deploy {build.ShortId}", ReleaseTrigger.Deploy, BuildId: build.Id),
            release => build.RecordRelease(release.Id, release.Version, clock.GetUtcNow()));
    }

    /// <summary>
    /// Add-ons are never rolled back or dropped by a change that is not about them: a draft
    /// without add-ons gets those attached now (<see cref="ReleaseDraft.OnAddons"/>).
    /// </summary>
    private async Task<ReleaseDraft> WithAddonsAsync(Guid appId, ReleaseDraft draft, CancellationToken ct) =>
        draft.Addons is not null ? draft : draft.OnAddons(await AddonQueries.AttachedAsync(db, appId, ct));

    /// <summary>The rollback target as text, whether the client sent a number or a string.</summary>
    private static string? ReferenceOf(JsonElement? element) => element switch
    {
        { ValueKind: JsonValueKind.Number } e => e.GetRawText(),
        { ValueKind: JsonValueKind.String } e => e.GetString(),
        _ => null,
    };
}
