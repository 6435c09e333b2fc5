using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace Slipway.Server.Runtime.Kubernetes;

/// <summary>
/// A release's rollout: the Deployments are polled until each has its new ReplicaSet available
/// (<c>kubectl rollout status</c>'s rule); when one reports <c>ProgressDeadlineExceeded</c>, every
/// Deployment gets the template it had before the deploy back (as Deis did), so the previous
/// ReplicaSet keeps serving.
/// </summary>
public sealed partial class KubernetesRollout(
    IKubernetes client,
    IOptions<KubernetesOptions> options,
    TimeProvider clock,
    ILogger<KubernetesRollout> logger)
{
    private KubernetesOptions Options => options.Value;

    /// <summary>Polls the Deployments until each has its new ReplicaSet available; null then, otherwise why not.</summary>
    public async Task<string?> WaitAsync(List<string> names, string ns, CancellationToken ct)
    {
        var deadline = clock.GetUtcNow().AddSeconds(Options.ProgressDeadlineSeconds + 60);
        var waiting = new HashSet<string>(names, StringComparer.Ordinal);
        while (waiting.Count > 0)
        {
            foreach (var name in waiting.ToList())
            {
                var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: ct);
                var (done, failure) = StatusOf(deployment);
                if (failure is not null)
                {
                    return failure;
                }

                if (done)
                {
                    waiting.Remove(name);
                }
            }

            if (waiting.Count == 0)
            {
                break;
            }

            if (clock.GetUtcNow() > deadline)
            {
                return $"The rollout of {string.Join(", ", waiting)} did not finish within {Options.ProgressDeadlineSeconds + 60} s.";
            }

            await Task.Delay(Options.PollInterval, clock, ct);
        }

        return null;
    }

    /// <summary><c>kubectl rollout status</c>'s rule: observed, all replicas updated, old ones gone, the new ones available.</summary>
    internal static (bool Done, string? Failure) StatusOf(V1Deployment deployment)
    {
        var status = deployment.Status;
        if (status is null || deployment.Metadata.Generation > status.ObservedGeneration)
        {
            return (false, null);
        }

        var progressing = status.Conditions?.FirstOrDefault(c => c.Type == "Progressing");
        if (progressing?.Reason == "ProgressDeadlineExceeded")
        {
            return (false, $"{deployment.Metadata.Name} did not become available within its progress deadline (ProgressDeadlineExceeded): {progressing.Message}");
        }

        var want = deployment.Spec.Replicas ?? 1;
        var done = (status.UpdatedReplicas ?? 0) >= want
            && (status.Replicas ?? 0) <= (status.UpdatedReplicas ?? 0)
            && (status.AvailableReplicas ?? 0) >= (status.UpdatedReplicas ?? 0);
        return (done, null);
    }

    /// <summary>Puts each Deployment back on the template it had before this deploy (<paramref name="previous"/>: name → what it was, null when new); Deployments new with it go.</summary>
    public async Task RollBackAsync(ReleaseSpec release, string ns, Dictionary<string, V1Deployment?> previous, CancellationToken ct)
    {
        foreach (var (name, before) in previous)
        {
            if (before is null)
            {
                await KubernetesCalls.DeleteQuietlyAsync(() => client.AppsV1.DeleteNamespacedDeploymentAsync(name, ns, KubernetesCalls.InBackground, cancellationToken: ct));
                continue;
            }

            var now = await client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: ct);
            now.Metadata.Labels = before.Metadata.Labels;
            now.Metadata.Annotations = before.Metadata.Annotations;
            now.Spec.Template = before.Spec.Template;
            now.Spec.Replicas = before.Spec.Replicas;
            now.Status = null;
            await client.AppsV1.ReplaceNamespacedDeploymentAsync(now, name, ns, cancellationToken: ct);
            LogRolledBack(release.AppKey, release.Version, name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{App} v{Version} did not roll out; Deployment {Deployment} is back on its previous template")]
    private partial void LogRolledBack(string app, int version, string deployment);
}
