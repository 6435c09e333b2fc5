using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using k8s.Models;

namespace Slipway.Server.Runtime.Kubernetes;

/// <summary>
/// The Kubernetes objects of one release, built from its <see cref="ReleaseSpec"/> alone (pure, so a
/// rollback re-applies exactly what a deploy of that release applied): a Secret of config vars, a
/// Deployment per process type, a Job for the release phase, a Service and an Ingress for <c>web</c>.
/// </summary>
public static class KubernetesObjects
{
    public const string AppLabel = "slipway.io/app";
    public const string AppIdLabel = "slipway.io/app-id";
    public const string VersionLabel = "slipway.io/release-version";
    public const string TypeLabel = "slipway.io/process-type";
    public const string SlugAnnotation = "slipway.io/slug-digest";
    public const string RestartedAtAnnotation = "slipway.io/restarted-at";
    public const string ManagedBy = "app.kubernetes.io/managed-by";

    /// <summary>
    /// Downloads the slug, unpacks it to <c>/app</c>, sources <c>.profile.d</c> and then runs the Procfile
    /// command (<c>$1</c>) as the container's main process. The slug passed the archive rules when it was
    /// stored; tar still drops owners and setuid/setgid bits, as the server's own unpack does.
    /// </summary>
    public const string BootScript =
        "set -e; cd /app; curl -fsSL --retry 3 \"$SLUG_URL\" | tar -xzf - -C /app --strip-components=2 --no-same-owner --no-same-permissions; "
        + "for f in /app/.profile.d/*.sh; do if [ -f \"$f\" ]; then . \"$f\"; fi; done; exec /bin/sh -c \"$1\"";

    /// <summary>An app key as a DNS-1123 label prefix: at most 40 characters, starting with a letter.</summary>
    public static string NameOf(string appKey)
    {
        var clean = new string(appKey.ToLowerInvariant().Select(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') ? c : '-').ToArray()).Trim('-');
        if (clean.Length == 0 || !char.IsAsciiLetter(clean[0]))
        {
            clean = "app-" + clean;
        }

        if (clean.Length > 40)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(appKey)))[..8];
            clean = clean[..31].TrimEnd('-') + "-" + hash;
        }

        return clean;
    }

    /// <summary>A process type (letters, digits, <c>_</c>, <c>-</c>) as a DNS-1123 label part.</summary>
    public static string TypeName(string type) => type.ToLowerInvariant().Replace('_', '-').Trim('-');

    public static string SecretName(string appKey, int version) => $"{NameOf(appKey)}-v{version.ToString(CultureInfo.InvariantCulture)}-env";

    public static string DeploymentName(string appKey, string type) => $"{NameOf(appKey)}-{TypeName(type)}";

    public static string JobName(string appKey, int version) => $"{NameOf(appKey)}-release-v{version.ToString(CultureInfo.InvariantCulture)}";

    public static string ServiceName(string appKey) => $"{NameOf(appKey)}-web";

    public static string AppSelector(Guid appId) => $"{AppIdLabel}={appId}";

    /// <summary>The app's host name in <see cref="KubernetesOptions.IngressHostPattern"/>, or null when apps get no Ingress.</summary>
    public static string? IngressHost(string appKey, KubernetesOptions options) =>
        string.IsNullOrEmpty(options.IngressHostPattern) ? null : options.IngressHostPattern.Replace("{app}", appKey, StringComparison.Ordinal);

    public static Dictionary<string, string> AppLabels(ReleaseSpec release) => new()
    {
        [AppLabel] = NameOf(release.AppKey),
        [AppIdLabel] = release.AppId.ToString(),
        [ManagedBy] = "slipway",
    };

    public static Dictionary<string, string> ReleaseLabels(ReleaseSpec release) => new(AppLabels(release))
    {
        [VersionLabel] = release.Version.ToString(CultureInfo.InvariantCulture),
    };

    public static V1Namespace Namespace(string name, ReleaseSpec release) => new()
    {
        ApiVersion = "v1",
        Kind = "Namespace",
        Metadata = new V1ObjectMeta { Name = name, Labels = AppLabels(release) },
    };

    /// <summary>The release's config vars, as given; a pod reads them with <c>envFrom</c>.</summary>
    public static V1Secret Secret(ReleaseSpec release, string ns) => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Type = "Opaque",
        Metadata = new V1ObjectMeta { Name = SecretName(release.AppKey, release.Version), NamespaceProperty = ns, Labels = ReleaseLabels(release) },
        Data = release.ConfigVars.ToDictionary(v => v.Key, v => Encoding.UTF8.GetBytes(v.Value), StringComparer.Ordinal),
    };

    public static V1Deployment Deployment(ReleaseSpec release, string ns, string type, Uri slugUrl, KubernetesOptions options)
    {
        var selector = new Dictionary<string, string> { [AppIdLabel] = release.AppId.ToString(), [TypeLabel] = TypeName(type) };
        var labels = new Dictionary<string, string>(ReleaseLabels(release)) { [TypeLabel] = TypeName(type) };
        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = new V1ObjectMeta
            {
                Name = DeploymentName(release.AppKey, type),
                NamespaceProperty = ns,
                Labels = labels,
                Annotations = new Dictionary<string, string> { [SlugAnnotation] = release.SlugDigest ?? "" },
            },
            Spec = new V1DeploymentSpec
            {
                Replicas = release.Formation.GetValueOrDefault(type),
                Selector = new V1LabelSelector { MatchLabels = selector },
                ProgressDeadlineSeconds = options.ProgressDeadlineSeconds,
                RevisionHistoryLimit = 5,

                // Zero downtime: a new pod must be ready before an old one goes.
                Strategy = new V1DeploymentStrategy
                {
                    Type = "RollingUpdate",
                    RollingUpdate = new V1RollingUpdateDeployment { MaxUnavailable = 0, MaxSurge = "25%" },
                },
                Template = PodTemplate(release, type, slugUrl, labels, "Always", options),
            },
        };
    }

    /// <summary>The release phase: one pod, never restarted, that must exit 0 before any Deployment changes.</summary>
    public static V1Job ReleaseJob(ReleaseSpec release, string ns, Uri slugUrl, KubernetesOptions options, int timeoutSeconds)
    {
        var labels = new Dictionary<string, string>(ReleaseLabels(release)) { [TypeLabel] = ReleaseSpec.ReleasePhaseType };
        return new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta { Name = JobName(release.AppKey, release.Version), NamespaceProperty = ns, Labels = labels },
            Spec = new V1JobSpec
            {
                BackoffLimit = 0,
                ActiveDeadlineSeconds = timeoutSeconds,
                TtlSecondsAfterFinished = 3600,
                Template = PodTemplate(release, ReleaseSpec.ReleasePhaseType, slugUrl, labels, "Never", options),
            },
        };
    }

    public static V1Service Service(ReleaseSpec release, string ns, KubernetesOptions options) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta { Name = ServiceName(release.AppKey), NamespaceProperty = ns, Labels = AppLabels(release) },
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            Selector = new Dictionary<string, string> { [AppIdLabel] = release.AppId.ToString(), [TypeLabel] = ReleaseSpec.WebType },
            Ports = [new V1ServicePort { Name = "http", Port = 80, TargetPort = options.ContainerPort, Protocol = "TCP" }],
        },
    };

    public static V1Ingress Ingress(ReleaseSpec release, string ns, string host, KubernetesOptions options) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "Ingress",
        Metadata = new V1ObjectMeta { Name = NameOf(release.AppKey), NamespaceProperty = ns, Labels = AppLabels(release) },
        Spec = new V1IngressSpec
        {
            IngressClassName = string.IsNullOrEmpty(options.IngressClassName) ? null : options.IngressClassName,
            Rules =
            [
                new V1IngressRule
                {
                    Host = host,
                    Http = new V1HTTPIngressRuleValue
                    {
                        Paths =
                        [
                            new V1HTTPIngressPath
                            {
                                Path = "/",
                                PathType = "Prefix",
                                Backend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = ServiceName(release.AppKey), Port = new V1ServiceBackendPort { Number = 80 } } },
                            },
                        ],
                    },
                },
            ],
        },
    };

    /// <summary>A label's value, or null.</summary>
    public static string? Label(V1ObjectMeta? metadata, string key) =>
        metadata?.Labels is { } labels && labels.TryGetValue(key, out var value) ? value : null;

    private static V1EnvVar Env(string name, string value) => new() { Name = name, Value = value };

    private static V1PodTemplateSpec PodTemplate(ReleaseSpec release, string type, Uri slugUrl, Dictionary<string, string> labels, string restartPolicy, KubernetesOptions options)
    {
        var port = options.ContainerPort.ToString(CultureInfo.InvariantCulture);
        var env = new List<V1EnvVar>
        {
            new() { Name = "SLIPWAY_POD_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } },
            Env("DYNO", "$(SLIPWAY_POD_NAME)"),
            Env("SLIPWAY_PROCESS_TYPE", type),
            Env("SLIPWAY_APP", release.AppKey),
            Env("SLIPWAY_RELEASE_VERSION", $"v{release.Version.ToString(CultureInfo.InvariantCulture)}"),
            Env("SLUG_URL", slugUrl.ToString()),
            Env("HOME", "/app"),
        };
        if (type != ReleaseSpec.ReleasePhaseType)
        {
            env.Add(Env("PORT", port));
        }

        var container = new V1Container
        {
            Name = TypeName(type),
            Image = options.RunnerImage,
            Command = ["/bin/sh", "-c", BootScript, "slugrunner", release.ProcessTypes[type]],
            Env = env,
            EnvFrom = [new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = SecretName(release.AppKey, release.Version) } }],
            VolumeMounts = [new V1VolumeMount { Name = "app", MountPath = "/app" }, new V1VolumeMount { Name = "tmp", MountPath = "/tmp" }],

            // Only /app (the slug, and HOME) and /tmp are writable; no root, no privileges to gain.
            SecurityContext = new V1SecurityContext
            {
                RunAsNonRoot = true,
                RunAsUser = options.RunAsUser,
                RunAsGroup = options.RunAsUser,
                ReadOnlyRootFilesystem = true,
                AllowPrivilegeEscalation = false,
                Capabilities = new V1Capabilities { Drop = ["ALL"] },
            },
        };
        if (type == ReleaseSpec.WebType)
        {
            container.Ports = [new V1ContainerPort { Name = "http", ContainerPort = options.ContainerPort, Protocol = "TCP" }];
            container.ReadinessProbe = release.HealthCheckPath is { } path
                ? new V1Probe { HttpGet = new V1HTTPGetAction { Path = path, Port = options.ContainerPort }, PeriodSeconds = 2, FailureThreshold = 3 }
                : new V1Probe { TcpSocket = new V1TCPSocketAction { Port = options.ContainerPort }, PeriodSeconds = 2, FailureThreshold = 3 };
        }

        return new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta { Labels = labels },
            Spec = new V1PodSpec
            {
                RestartPolicy = restartPolicy,
                Containers = [container],
                Volumes = [new V1Volume { Name = "app", EmptyDir = new V1EmptyDirVolumeSource() }, new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() }],

                // An app has no business with the cluster's API: no service account token in its pods.
                AutomountServiceAccountToken = false,
                SecurityContext = new V1PodSecurityContext { RunAsNonRoot = true, RunAsUser = options.RunAsUser, RunAsGroup = options.RunAsUser, FsGroup = options.RunAsUser },
                TerminationGracePeriodSeconds = 30,
            },
        };
    }
}
