using Microsoft.EntityFrameworkCore;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Http;

namespace Slipway.Server.Runtime;

/// <summary>A process as the runtime runs it now, with the id of the release it runs (null once that release is gone with its app).</summary>
public sealed record RunningDyno(DynoStatus Status, Guid? ReleaseId);

/// <summary>An app's processes (dynos) as the runtime runs them now, and restarts.</summary>
public sealed class DynoService(SlipwayDb db, IAppRuntime runtime, FormationService formation, Deployer deployer)
{
    public async Task<List<RunningDyno>> ListAsync(App app, CancellationToken ct)
    {
        var dynos = await runtime.DynosAsync(app.Id, ct);
        var versions = dynos.Select(d => d.ReleaseVersion).Distinct().ToList();
        var releases = await db.Releases.AsNoTracking()
            .Where(r => r.AppId == app.Id && versions.Contains(r.Version))
            .ToDictionaryAsync(r => r.Version, r => r.Id, ct);
        return [.. dynos.Select(d => new RunningDyno(d, releases.TryGetValue(d.ReleaseVersion, out var id) ? id : null))];
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
            var known = processTypes.ContainsKey(target) || (await runtime.DynosAsync(app.Id, ct)).Any(d => d.Name == target);
            if (!known || target == ReleaseSpec.ReleasePhaseType)
            {
                return Refusal.NotFound($"{app.Key} has no process type or process '{target}'.");
            }
        }

        await deployer.EnqueueAsync(new RuntimeJob.Restart(app.Id, target), CancellationToken.None);
        return null;
    }
}
