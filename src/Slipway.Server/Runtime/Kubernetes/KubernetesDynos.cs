using System.Globalization;
using k8s;
using k8s.Models;

namespace Slipway.Server.Runtime.Kubernetes;

/// <summary>An app's pods as <c>aka ps</c> shows them: every pod of its Deployments (not the release Job's), named <c>web.x7k2p</c>.</summary>
public static class KubernetesDynos
{
    /// <summary>The label selector of the app's process pods.</summary>
    public static string Selector(Guid appId) => $"{KubernetesObjects.AppSelector(appId)},{KubernetesObjects.TypeLabel}!={ReleaseSpec.ReleasePhaseType}";

    /// <summary>The app's process pods, without those being deleted; <see cref="V1PodList.Metadata"/> says as of which resource version.</summary>
    public static async Task<V1PodList> ListAsync(IKubernetes client, Guid appId, string ns, CancellationToken ct)
    {
        var pods = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: Selector(appId), cancellationToken: ct);
        pods.Items = pods.Items.Where(p => p.Metadata.DeletionTimestamp is null).ToList();
        return pods;
    }

    /// <summary>The dyno name <c>aka ps</c> shows: the type and the pod's own suffix (<c>web.x7k2p</c>).</summary>
    public static string NameOf(V1Pod pod)
    {
        var type = KubernetesObjects.Label(pod.Metadata, KubernetesObjects.TypeLabel) ?? "process";
        var name = pod.Metadata.Name;
        return $"{type}.{name[(name.LastIndexOf('-') + 1)..]}";
    }

    /// <summary>The pod as a dyno; <paramref name="now"/> stands in for its start when the pod says nothing of it.</summary>
    public static DynoStatus StatusOf(V1Pod pod, DateTimeOffset now)
    {
        var statuses = pod.Status?.ContainerStatuses ?? [];
        var ready = pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
        var crashed = pod.Status?.Phase is "Failed"
            || statuses.Any(s => s.State?.Waiting?.Reason is "CrashLoopBackOff" or "ErrImagePull" or "ImagePullBackOff" or "CreateContainerConfigError" || s.State?.Terminated is not null);
        var state = pod.Status?.Phase == "Running" && ready ? DynoState.Up : crashed ? DynoState.Crashed : DynoState.Starting;
        var since = statuses.Select(s => s.State?.Running?.StartedAt ?? s.State?.Terminated?.FinishedAt).FirstOrDefault(t => t is not null)
            ?? pod.Status?.StartTime ?? pod.Metadata.CreationTimestamp ?? now.UtcDateTime;
        var version = int.TryParse(KubernetesObjects.Label(pod.Metadata, KubernetesObjects.VersionLabel), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
        var command = pod.Spec?.Containers?.FirstOrDefault()?.Command?.LastOrDefault() ?? "";
        return new DynoStatus(
            NameOf(pod),
            KubernetesObjects.Label(pod.Metadata, KubernetesObjects.TypeLabel) ?? "",
            state,
            new DateTimeOffset(DateTime.SpecifyKind(since, DateTimeKind.Utc)),
            version,
            command,
            statuses.Sum(s => s.RestartCount),
            new DateTimeOffset(DateTime.SpecifyKind(pod.Metadata.CreationTimestamp ?? since, DateTimeKind.Utc)));
    }
}
