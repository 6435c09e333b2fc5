using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace Slipway.Server.Runtime.Kubernetes;

/// <summary>
/// Where each app runs: its own namespace (<c>namespace-per-app</c>, labelled with the app's id) or the
/// one shared namespace (<c>labels</c>). Learnt on deploy or scale, looked up by label otherwise.
/// </summary>
public sealed class KubernetesNamespaces(IKubernetes client, IOptions<KubernetesOptions> options)
{
    /// <summary>App id → namespace.</summary>
    private readonly ConcurrentDictionary<Guid, string> _known = new();

    private KubernetesOptions Options => options.Value;

    /// <summary>The release's namespace, created when it does not exist yet.</summary>
    public async Task<string> EnsureAsync(ReleaseSpec release, CancellationToken ct)
    {
        var ns = Options.NamespaceMode == KubernetesOptions.NamespacePerApp
            ? Options.NamespacePrefix + KubernetesObjects.NameOf(release.AppKey)
            : Options.Namespace;
        if (_known.TryGetValue(release.AppId, out var known) && known == ns)
        {
            return ns;
        }

        if (await KubernetesCalls.ReadOrNullAsync(() => client.CoreV1.ReadNamespaceAsync(ns, cancellationToken: ct)) is null)
        {
            var body = Options.NamespaceMode == KubernetesOptions.NamespacePerApp
                ? KubernetesObjects.Namespace(ns, release)
                : new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = ns, Labels = new Dictionary<string, string> { [KubernetesObjects.ManagedBy] = "slipway" } } };
            try
            {
                await client.CoreV1.CreateNamespaceAsync(body, cancellationToken: ct);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
            }
        }

        _known[release.AppId] = ns;
        return ns;
    }

    /// <summary>Where the app runs: the shared namespace, or the namespace labelled with its id; null when it has none.</summary>
    public async Task<string?> OfAsync(Guid appId, CancellationToken ct)
    {
        if (Options.NamespaceMode == KubernetesOptions.Labels)
        {
            return Options.Namespace;
        }

        if (_known.TryGetValue(appId, out var ns))
        {
            return ns;
        }

        var found = await client.CoreV1.ListNamespaceAsync(labelSelector: KubernetesObjects.AppSelector(appId), cancellationToken: ct);
        if (found.Items.FirstOrDefault()?.Metadata.Name is { } name)
        {
            _known[appId] = name;
            return name;
        }

        return null;
    }

    /// <summary>Forgets a destroyed app.</summary>
    public void Forget(Guid appId) => _known.TryRemove(appId, out _);
}
