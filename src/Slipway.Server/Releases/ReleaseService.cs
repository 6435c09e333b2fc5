using Microsoft.EntityFrameworkCore;
using Slipway.Server.Accounts;
using Slipway.Server.Addons;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Runtime;

namespace Slipway.Server.Releases;

/// <summary>What a change sees when it decides the next release, under the app's lock.</summary>
/// <param name="Base">The newest release that did not fail: what a change builds on.</param>
/// <param name="CurrentVersion">The newest succeeded release, the one serving.</param>
/// <param name="LatestVersion">The newest release of any status (0 when none).</param>
public sealed record ReleaseState(Release? Base, int? CurrentVersion, int LatestVersion);

/// <summary>A change's decision: make this release, refuse with a reason, or nothing to do.</summary>
public abstract record ReleasePlan
{
    /// <summary>Make this release; <paramref name="Created"/> may record it on the change's own entities, saved in the same transaction.</summary>
    public sealed record Create(ReleaseDraft Draft, Action<Release>? Created = null) : ReleasePlan;

    public sealed record Refuse(int Status, string Id, string Message) : ReleasePlan;

    public sealed record Unchanged(string Message) : ReleasePlan;
}

/// <summary>Guards a POST may carry: a key that makes retries safe, and the version the client last saw.</summary>
public sealed record ReleaseConditions(string? IdempotencyKey = null, int? ExpectedLatestVersion = null)
{
    public static ReleaseConditions None { get; } = new();
}

/// <summary>The result of <see cref="ReleaseService.AppendAsync"/>: exactly one of its parts is set.</summary>
public sealed record ReleaseOutcome(Release? Release, bool Replayed, ReleasePlan.Refuse? Refusal, string? Unchanged);

/// <summary>
/// The one place releases are made. Every trigger (deploy, config, add-on, rollback) goes
/// through <see cref="AppendAsync"/>, which takes the app's row lock by bumping its release
/// counter, lets the change decide on a consistent view, and inserts the release in the same
/// transaction: versions are gapless and unique on SQLite and PostgreSQL alike.
/// </summary>
public sealed class ReleaseService(SlipwayDb db, WriteGate gate, TimeProvider clock, Deployer deployer)
{
    public async Task<ReleaseOutcome> AppendAsync(
        App app,
        Caller caller,
        Func<ReleaseState, CancellationToken, Task<ReleasePlan>> plan,
        ReleaseConditions conditions,
        CancellationToken ct)
    {
        using var queued = await gate.EnterAsync(db, ct);
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
            return Refused(new ReleasePlan.Refuse(409, "conflict", $"{app.Key} is at v{state.LatestVersion}, not v{expected}: another release got there first."));
        }

        switch (await plan(state, ct))
        {
            case ReleasePlan.Refuse refuse:
                await tx.RollbackAsync(ct);
                return Refused(refuse);
            case ReleasePlan.Unchanged unchanged:
                await tx.RollbackAsync(ct);
                return new ReleaseOutcome(null, false, null, unchanged.Message);
            case ReleasePlan.Create create:
                var now = clock.GetUtcNow();
                var release = Release.Create(app.Id, version, await WithAddonsAsync(app.Id, create.Draft, ct), caller.UserId, now);
                db.Releases.Add(release);
                create.Created?.Invoke(release);
                if (conditions.IdempotencyKey is { } newKey)
                {
                    db.IdempotencyRecords.Add(IdempotencyRecord.Create(caller.UserId, app.Id, newKey, release.Id, now));
                }

                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);

                // The release answers pending; the deployer takes it to succeeded or failed. Once
                // committed it must reach the deployer even if the client has gone away.
                await deployer.EnqueueAsync(new RuntimeJob.Deploy(app.Id), CancellationToken.None);
                return new ReleaseOutcome(release, false, null, null);
            default:
                throw new InvalidOperationException("Unknown release plan.");
        }
    }

    private static ReleaseOutcome Refused(ReleasePlan.Refuse refuse) => new(null, false, refuse, null);

    /// <summary>
    /// Add-ons are never rolled back or dropped by a change that is not about them: a draft
    /// without add-ons gets those attached now. A user var that one of them sets (only a
    /// rollback to a release older than the add-on can bring one) gives way to the add-on's.
    /// </summary>
    private async Task<ReleaseDraft> WithAddonsAsync(Guid appId, ReleaseDraft draft, CancellationToken ct)
    {
        if (draft.Addons is not null)
        {
            return draft;
        }

        var attached = await AddonQueries.AttachedAsync(db, appId, ct);
        var config = draft.ConfigVars
            .Where(kv => !attached.Any(a => a.ConfigVars.ContainsKey(kv.Key)))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        return draft with { ConfigVars = config, Addons = attached };
    }
}
