using Microsoft.EntityFrameworkCore;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Http;

namespace Slipway.Server.Runtime;

/// <summary>A process as the runtime runs it now, with the id of the release it runs (null once that release is gone with its app).</summary>
public sealed record RunningDyno(DynoStatus Status, Guid? ReleaseId);

/// <summary>
/// An app's processes (dynos) as the runtime runs them now, and restarts.
/// With the local runtime on several servers, a server that does not run the app shows the web processes its owner records.
/// </summary>
public sealed class DynoService(SlipwayDb db, IAppRuntime runtime, FormationService formation, Deployer deployer, TimeProvider clock)
{
    public async Task<List<RunningDyno>> ListAsync(App app, CancellationToken ct)
    {
        var dynos = await runtime.DynosAsync(app.Id, ct);
        if (dynos.Count == 0 && runtime.RunsOnThisServer)
        {
            dynos = await OnPeersAsync(app, ct);
        }

        var versions = dynos.Select(d => d.ReleaseVersion).Distinct().ToList();
        var releases = await db.Releases.AsNoTracking()
            .Where(r => r.AppId == app.Id && versions.Contains(r.Version))
            .ToDictionaryAsync(r => r.Version, r => r.Id, ct);
        return [.. dynos.Select(d => new RunningDyno(d, releases.TryGetValue(d.ReleaseVersion, out var id) ? id : null))];
    }

    /// <summary>
    /// The web processes another live server (the app's owner) records for an app this server does not
    /// run, as they take traffic: up since they were recorded (other types are not recorded).
    /// </summary>
    private async Task<IReadOnlyList<DynoStatus>> OnPeersAsync(App app, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var live = await db.WorkLeases.AsNoTracking()
            .Where(l => l.Scope.StartsWith("server:") && l.ExpiresAt > now)
            .Select(l => l.Scope)
            .ToListAsync(ct);
        var records = (await db.ProcessRecords.AsNoTracking().Where(r => r.AppId == app.Id).ToListAsync(ct))
            .Where(r => live.Contains(ServerHeartbeat.ScopeOf(r.ServerId)))
            .ToList();
        if (records.Count == 0)
        {
            return [];
        }

        var version = records.Max(r => r.ReleaseVersion);
        var command = (await db.Releases.AsNoTracking()
            .Where(r => r.AppId == app.Id && r.Version == version)
            .Select(r => r.Slug)
            .FirstOrDefaultAsync(ct))?.ProcessTypes.GetValueOrDefault(ReleaseSpec.WebType) ?? "";
        return [.. records.Where(r => r.ReleaseVersion == version)
            .OrderBy(r => r.DynoName, StringComparer.Ordinal)
            .Select(r => new DynoStatus(r.DynoName, r.ProcessType, DynoState.Up, r.UpdatedAt, r.ReleaseVersion, command, 0, r.UpdatedAt))];
    }

    /// <summary>
    /// Restarts every process (<paramref name="target"/> null), a process type (<c>web</c>) or one
    /// process (<c>web.1</c>); the runtime does it in the background. Null when it is under way.
    /// </summary>
    public async Task<Refusal?> RestartAsync(App app, string? target, CancellationToken ct)
    {
        if (target is not null)
        {
            var processTypes = await formation.ProcessTypesAsync(app, ct);
            var known = processTypes.ContainsKey(target) || (await ListAsync(app, ct)).Any(d => d.Status.Name == target);
            if (!known || target == ReleaseSpec.ReleasePhaseType)
            {
                return Refusal.NotFound($"{app.Key} has no process type or process '{target}'.");
            }
        }

        await deployer.EnqueueAsync(new RuntimeJob.Restart(app.Id, target), CancellationToken.None);
        return null;
    }
}
