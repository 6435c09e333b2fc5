using System.Globalization;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;
using Slipway.Server.Logs;
using Slipway.Server.Slugs;

namespace Slipway.Server.Runtime.Kubernetes;

/// <summary>
/// Runs apps on Kubernetes. A deploy applies, in order: a Secret of the release's config vars, the
/// release phase (<see cref="KubernetesReleasePhase"/>, a Job that must succeed first), one Deployment
/// per process type, then waits for the rollout (<see cref="KubernetesRollout"/>, which puts the previous
/// templates back when it stalls) and only then routes <c>web</c> (a Service, and an Ingress when
/// configured) and removes what the release no longer has. Pods fetch the slug from a short-lived signed
/// URL and run the Procfile command. Logs are <see cref="KubernetesLogs"/>. The cluster holds the
/// state: nothing to clean up at start.
/// </summary>
public sealed class KubernetesRuntime(
    IKubernetes client,
    ISlugStore slugs,
    AppLogStore logs,
    KubernetesNamespaces namespaces,
    KubernetesReleasePhase releasePhase,
    KubernetesRollout rollout,
    KubernetesLogs podLogs,
    IOptions<KubernetesOptions> kubernetesOptions,
    TimeProvider clock) : IAppRuntime
{
    private KubernetesOptions Options => kubernetesOptions.Value;

    public Task CleanUpEarlierRunAsync(CancellationToken ct) => Task.CompletedTask;

    public async Task<DeployOutcome> DeployAsync(ReleaseSpec release, CancellationToken ct)
    {
        if (release.SlugDigest is not { } digest)
        {
            // A release made before any code was deployed (a config change) has nothing to run.
            return DeployOutcome.Success(null);
        }

        var ns = await namespaces.EnsureAsync(release, ct);
        var slugUrl = await SlugUrlAsync(digest, ct);
        var secret = KubernetesObjects.Secret(release, ns);
        await ApplySecretAsync(secret, ns, ct);

        ReleasePhaseResult? phase = null;
        if (release.ProcessTypes.ContainsKey(ReleaseSpec.ReleasePhaseType))
        {
            (phase, var problem) = await releasePhase.RunAsync(release, ns, slugUrl, ct);
            if (problem is not null)
            {
                await KubernetesCalls.DeleteQuietlyAsync(() => client.CoreV1.DeleteNamespacedSecretAsync(secret.Metadata.Name, ns, cancellationToken: ct));
                return DeployOutcome.Failure(problem, phase);
            }
        }

        var previous = new Dictionary<string, V1Deployment?>(StringComparer.Ordinal);
        foreach (var type in release.Formation.Keys.Order(StringComparer.Ordinal))
        {
            var desired = KubernetesObjects.Deployment(release, ns, type, slugUrl, Options);
            previous[desired.Metadata.Name] = await ApplyDeploymentAsync(desired, ns, ct);
        }

        var failure = await rollout.WaitAsync([.. previous.Keys], ns, ct);
        if (failure is not null)
        {
            await rollout.RollBackAsync(release, ns, previous, ct);
            await KubernetesCalls.DeleteQuietlyAsync(() => client.CoreV1.DeleteNamespacedSecretAsync(secret.Metadata.Name, ns, cancellationToken: ct));
            logs.Append(release.AppId, "slipway[runtime]", $"v{release.Version} did not roll out; the Deployments are back on what ran before.");
            return DeployOutcome.Failure(failure, phase);
        }

        await ApplyRoutingAsync(release, ns, ct);
        await RemoveLeftoversAsync(release, ns, [.. previous.Keys], ct);
        return DeployOutcome.Success(phase);
    }

    public async Task ScaleAsync(ReleaseSpec current, CancellationToken ct)
    {
        if (current.SlugDigest is not { } digest)
        {
            return;
        }

        var ns = await namespaces.EnsureAsync(current, ct);
        Uri? slugUrl = null;
        foreach (var (type, quantity) in current.Formation.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var name = KubernetesObjects.DeploymentName(current.AppKey, type);
            var existing = await KubernetesCalls.ReadOrNullAsync(() => client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: ct));
            if (existing is not null && KubernetesObjects.Label(existing.Metadata, KubernetesObjects.VersionLabel) == current.Version.ToString(CultureInfo.InvariantCulture))
            {
                if (existing.Spec?.Replicas != quantity)
                {
                    await client.AppsV1.PatchNamespacedDeploymentAsync(KubernetesCalls.MergePatch(new { spec = new { replicas = quantity } }), name, ns, cancellationToken: ct);
                }

                continue;
            }

            // The cluster runs something other than the current release (or nothing): bring the release back whole.
            slugUrl ??= await SlugUrlAsync(digest, ct);
            await ApplySecretAsync(KubernetesObjects.Secret(current, ns), ns, ct);
            await ApplyDeploymentAsync(KubernetesObjects.Deployment(current, ns, type, slugUrl, Options), ns, ct);
        }

        await ApplyRoutingAsync(current, ns, ct);
    }

    public async Task<bool> RestartAsync(Guid appId, string? typeOrName, CancellationToken ct)
    {
        if (await namespaces.OfAsync(appId, ct) is not { } ns)
        {
            return false;
        }

        var deployments = await client.AppsV1.ListNamespacedDeploymentAsync(ns, labelSelector: KubernetesObjects.AppSelector(appId), cancellationToken: ct);
        var selected = deployments.Items
            .Where(d => typeOrName is null || KubernetesObjects.Label(d.Metadata, KubernetesObjects.TypeLabel) == KubernetesObjects.TypeName(typeOrName))
            .ToList();
        if (selected.Count > 0)
        {
            var at = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
            foreach (var deployment in selected)
            {
                // The restart also signs a fresh SLUG_URL, so that it works however long ago the release was made.
                var containers = deployment.Spec.Template.Spec.Containers;
                if (deployment.Metadata.Annotations?.TryGetValue(KubernetesObjects.SlugAnnotation, out var digest) == true && digest.Length > 0)
                {
                    var fresh = await SlugUrlAsync(digest, ct);
                    foreach (var env in containers.SelectMany(c => c.Env ?? []).Where(e => e.Name == "SLUG_URL"))
                    {
                        env.Value = fresh.ToString();
                    }
                }

                var patch = new V1Deployment
                {
                    Spec = new V1DeploymentSpec
                    {
                        Template = new V1PodTemplateSpec
                        {
                            Metadata = new V1ObjectMeta { Annotations = new Dictionary<string, string> { [KubernetesObjects.RestartedAtAnnotation] = at } },
                            Spec = new V1PodSpec { Containers = containers },
                        },
                    },
                };
                await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(KubernetesJson.Serialize(patch), V1Patch.PatchType.MergePatch), deployment.Metadata.Name, ns, cancellationToken: ct);
            }

            return true;
        }

        // One process: its pod goes, and its Deployment starts a new one.
        var pod = (await KubernetesDynos.ListAsync(client, appId, ns, ct)).Items.FirstOrDefault(p => KubernetesDynos.NameOf(p) == typeOrName || p.Metadata.Name == typeOrName);
        if (pod is null)
        {
            return false;
        }

        await KubernetesCalls.DeleteQuietlyAsync(() => client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, ns, cancellationToken: ct));
        return true;
    }

    public async Task<IReadOnlyList<DynoStatus>> DynosAsync(Guid appId, CancellationToken ct)
    {
        if (await namespaces.OfAsync(appId, ct) is not { } ns)
        {
            return [];
        }

        var now = clock.GetUtcNow();
        return (await KubernetesDynos.ListAsync(client, appId, ns, ct)).Items
            .Select(p => KubernetesDynos.StatusOf(p, now))
            .OrderBy(d => d.Type == ReleaseSpec.WebType ? 0 : 1)
            .ThenBy(d => d.Type, StringComparer.Ordinal)
            .ThenBy(d => d.Name, StringComparer.Ordinal)
            .ToList();
    }

    public async Task StopAppAsync(Guid appId, CancellationToken ct)
    {
        var ns = await namespaces.OfAsync(appId, ct);
        namespaces.Forget(appId);
        if (ns is null)
        {
            return;
        }

        if (Options.NamespaceMode == KubernetesOptions.NamespacePerApp)
        {
            await KubernetesCalls.DeleteQuietlyAsync(() => client.CoreV1.DeleteNamespaceAsync(ns, cancellationToken: ct));
            return;
        }

        var selector = KubernetesObjects.AppSelector(appId);
        foreach (var d in (await client.AppsV1.ListNamespacedDeploymentAsync(ns, labelSelector: selector, cancellationToken: ct)).Items)
        {
            await KubernetesCalls.DeleteQuietlyAsync(() => client.AppsV1.DeleteNamespacedDeploymentAsync(d.Metadata.Name, ns, KubernetesCalls.InBackground, cancellationToken: ct));
        }

        foreach (var j in (await client.BatchV1.ListNamespacedJobAsync(ns, labelSelector: selector, cancellationToken: ct)).Items)
        {
            await KubernetesCalls.DeleteQuietlyAsync(() => client.BatchV1.DeleteNamespacedJobAsync(j.Metadata.Name, ns, KubernetesCalls.InBackground, cancellationToken: ct));
        }

        foreach (var s in (await client.CoreV1.ListNamespacedServiceAsync(ns, labelSelector: selector, cancellationToken: ct)).Items)
        {
            await KubernetesCalls.DeleteQuietlyAsync(() => client.CoreV1.DeleteNamespacedServiceAsync(s.Metadata.Name, ns, cancellationToken: ct));
        }

        foreach (var i in (await client.NetworkingV1.ListNamespacedIngressAsync(ns, labelSelector: selector, cancellationToken: ct)).Items)
        {
            await KubernetesCalls.DeleteQuietlyAsync(() => client.NetworkingV1.DeleteNamespacedIngressAsync(i.Metadata.Name, ns, cancellationToken: ct));
        }

        foreach (var s in (await client.CoreV1.ListNamespacedSecretAsync(ns, labelSelector: selector, cancellationToken: ct)).Items)
        {
            await KubernetesCalls.DeleteQuietlyAsync(() => client.CoreV1.DeleteNamespacedSecretAsync(s.Metadata.Name, ns, cancellationToken: ct));
        }
    }

    /// <summary>Slipway's own lines for the app (release events) merged by time with the pods' logs, following pods as they come and go.</summary>
    public IAsyncEnumerable<LogLine> ReadLogsAsync(Guid appId, int lines, bool follow, CancellationToken ct) =>
        podLogs.ReadAsync(appId, lines, follow, ct);

    /// <summary>
    /// The app's Ingress (<c>http://&lt;host from IngressHostPattern&gt;</c>, as the Ingress has no TLS of its
    /// own); null without a pattern: the Service <c>&lt;app&gt;-web</c> is then reachable only inside the cluster.
    /// </summary>
    public string? WebUrlOf(string appKey) =>
        KubernetesObjects.IngressHost(appKey, Options) is { } host ? $"http://{host}" : null;

    private Task<Uri> SlugUrlAsync(string digest, CancellationToken ct) =>
        slugs.GetDownloadUrlAsync(digest, TimeSpan.FromMinutes(Options.SlugUrlLifetimeMinutes), ct);

    /// <summary>After a release is live: Deployments of types it does not have, and older Secrets, go.</summary>
    private async Task RemoveLeftoversAsync(ReleaseSpec release, string ns, List<string> live, CancellationToken ct)
    {
        var selector = KubernetesObjects.AppSelector(release.AppId);
        foreach (var d in (await client.AppsV1.ListNamespacedDeploymentAsync(ns, labelSelector: selector, cancellationToken: ct)).Items)
        {
            if (!live.Contains(d.Metadata.Name))
            {
                await KubernetesCalls.DeleteQuietlyAsync(() => client.AppsV1.DeleteNamespacedDeploymentAsync(d.Metadata.Name, ns, KubernetesCalls.InBackground, cancellationToken: ct));
            }
        }

        var keep = KubernetesObjects.SecretName(release.AppKey, release.Version);
        foreach (var s in (await client.CoreV1.ListNamespacedSecretAsync(ns, labelSelector: selector, cancellationToken: ct)).Items)
        {
            if (s.Metadata.Name != keep)
            {
                await KubernetesCalls.DeleteQuietlyAsync(() => client.CoreV1.DeleteNamespacedSecretAsync(s.Metadata.Name, ns, cancellationToken: ct));
            }
        }
    }

    /// <summary>The Service (and Ingress) for web while the release has web processes; gone otherwise.</summary>
    private async Task ApplyRoutingAsync(ReleaseSpec release, string ns, CancellationToken ct)
    {
        var serviceName = KubernetesObjects.ServiceName(release.AppKey);
        var ingressName = KubernetesObjects.NameOf(release.AppKey);
        if (!release.Formation.ContainsKey(ReleaseSpec.WebType))
        {
            await KubernetesCalls.DeleteQuietlyAsync(() => client.CoreV1.DeleteNamespacedServiceAsync(serviceName, ns, cancellationToken: ct));
            await KubernetesCalls.DeleteQuietlyAsync(() => client.NetworkingV1.DeleteNamespacedIngressAsync(ingressName, ns, cancellationToken: ct));
            return;
        }

        var service = KubernetesObjects.Service(release, ns, Options);
        var existing = await KubernetesCalls.ReadOrNullAsync(() => client.CoreV1.ReadNamespacedServiceAsync(serviceName, ns, cancellationToken: ct));
        if (existing is null)
        {
            await client.CoreV1.CreateNamespacedServiceAsync(service, ns, cancellationToken: ct);
        }

        if (KubernetesObjects.IngressHost(release.AppKey, Options) is not { } host)
        {
            return;
        }

        var ingress = KubernetesObjects.Ingress(release, ns, host, Options);
        var current = await KubernetesCalls.ReadOrNullAsync(() => client.NetworkingV1.ReadNamespacedIngressAsync(ingressName, ns, cancellationToken: ct));
        if (current is null)
        {
            await client.NetworkingV1.CreateNamespacedIngressAsync(ingress, ns, cancellationToken: ct);
        }
        else if (current.Spec.Rules?.FirstOrDefault()?.Host != host)
        {
            ingress.Metadata.ResourceVersion = current.Metadata.ResourceVersion;
            await client.NetworkingV1.ReplaceNamespacedIngressAsync(ingress, ingressName, ns, cancellationToken: ct);
        }
    }

    /// <summary>Creates or replaces a Deployment and answers what it was before (null when it is new).</summary>
    private async Task<V1Deployment?> ApplyDeploymentAsync(V1Deployment desired, string ns, CancellationToken ct)
    {
        var name = desired.Metadata.Name;
        var existing = await KubernetesCalls.ReadOrNullAsync(() => client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: ct));
        if (existing is null)
        {
            await client.AppsV1.CreateNamespacedDeploymentAsync(desired, ns, cancellationToken: ct);
            return null;
        }

        // Keep the restart annotation out: a new release restarts everything anyway.
        desired.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
        await client.AppsV1.ReplaceNamespacedDeploymentAsync(desired, name, ns, cancellationToken: ct);
        return existing;
    }

    private async Task ApplySecretAsync(V1Secret secret, string ns, CancellationToken ct)
    {
        var existing = await KubernetesCalls.ReadOrNullAsync(() => client.CoreV1.ReadNamespacedSecretAsync(secret.Metadata.Name, ns, cancellationToken: ct));
        if (existing is null)
        {
            await client.CoreV1.CreateNamespacedSecretAsync(secret, ns, cancellationToken: ct);
            return;
        }

        secret.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
        await client.CoreV1.ReplaceNamespacedSecretAsync(secret, secret.Metadata.Name, ns, cancellationToken: ct);
    }
}
