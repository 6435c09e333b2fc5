using Slipway.Server.Apps;
using Slipway.Server.Http;

namespace Slipway.Server.Runtime;

/// <summary>An app's processes (dynos) as the runtime runs them now, and restarts.</summary>
public sealed class DynoService(IAppRuntime runtime, FormationService formation, Deployer deployer)
{
    public Task<IReadOnlyList<DynoStatus>> ListAsync(App app, CancellationToken ct) => runtime.DynosAsync(app.Id, ct);

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
