using k8s;
using Microsoft.Extensions.Options;

namespace Slipway.Server.Runtime.Kubernetes;

public static class KubernetesSetup
{
    /// <summary>The Kubernetes runtime (its parts: namespaces, release phase, rollout, logs) and its client, from a kubeconfig or the pod's in-cluster settings.</summary>
    public static IServiceCollection AddKubernetesRuntime(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<KubernetesOptions>()
            .Bind(configuration.GetSection(KubernetesOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.NamespaceMode != KubernetesOptions.NamespacePerApp || o.NamespacePrefix.Length <= 18, "Slipway:Runtime:Kubernetes:NamespacePrefix must be at most 18 characters.")
            .ValidateOnStart();
        services.AddOptions<SlipwayOptions>()
            .Validate(o => o.Slugs.Kind == "s3" || !string.IsNullOrWhiteSpace(o.PublicUrl), "Slipway:PublicUrl is required when Slipway:Runtime:Kind is 'kubernetes' and slugs are in the folder store: pods download slugs from it.");
        services.AddSingleton<IKubernetes>(sp => new k8s.Kubernetes(ClientConfiguration(sp.GetRequiredService<IOptions<KubernetesOptions>>().Value)));
        services.AddSingleton<KubernetesNamespaces>();
        services.AddSingleton<KubernetesReleasePhase>();
        services.AddSingleton<KubernetesRollout>();
        services.AddSingleton<KubernetesLogs>();
        services.AddSingleton<KubernetesRuntime>();
        services.AddSingleton<IAppRuntime>(sp => sp.GetRequiredService<KubernetesRuntime>());
        return services;
    }

    private static KubernetesClientConfiguration ClientConfiguration(KubernetesOptions options)
    {
        if (options.InCluster || (string.IsNullOrEmpty(options.KubeConfigPath) && KubernetesClientConfiguration.IsInCluster()))
        {
            return KubernetesClientConfiguration.InClusterConfig();
        }

        return KubernetesClientConfiguration.BuildConfigFromConfigFile(
            string.IsNullOrEmpty(options.KubeConfigPath) ? null : options.KubeConfigPath,
            string.IsNullOrEmpty(options.Context) ? null : options.Context);
    }
}
