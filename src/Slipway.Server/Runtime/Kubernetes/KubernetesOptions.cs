using System.ComponentModel.DataAnnotations;

namespace Slipway.Server.Runtime.Kubernetes;

/// <summary>The <c>Slipway:Runtime:Kubernetes</c> section, used when <c>Slipway:Runtime:Kind</c> is <c>kubernetes</c>.</summary>
public sealed class KubernetesOptions
{
    public const string Section = "Slipway:Runtime:Kubernetes";

    public const string NamespacePerApp = "namespace-per-app";

    public const string Labels = "labels";

    /// <summary>
    /// The slugrunner image. It needs <c>/bin/sh</c>, <c>curl</c> and <c>tar</c>: the pod downloads
    /// <c>$SLUG_URL</c>, unpacks it into <c>/app</c> and runs the Procfile command there. The default
    /// is the stack image the built-in buildpacks build for.
    /// </summary>
    [Required]
    public string RunnerImage { get; set; } = "heroku/heroku:24";

    /// <summary>The uid (and gid) app containers run as: never root (their root filesystem is read-only; /app and /tmp are writable).</summary>
    [Range(1, int.MaxValue)]
    public long RunAsUser { get; set; } = 1000;

    /// <summary>A kubeconfig file; empty means in-cluster settings when running in a pod, else <c>~/.kube/config</c>.</summary>
    public string? KubeConfigPath { get; set; }

    /// <summary>The kubeconfig context to use; empty means its current context.</summary>
    public string? Context { get; set; }

    /// <summary>Use the pod's service account (in-cluster settings) even when a kubeconfig exists.</summary>
    public bool InCluster { get; set; }

    /// <summary><c>namespace-per-app</c> (default: <see cref="NamespacePrefix"/> + app) or <c>labels</c> (every app in <see cref="Namespace"/>).</summary>
    [RegularExpression("^(namespace-per-app|labels)$", ErrorMessage = "Slipway:Runtime:Kubernetes:NamespaceMode must be 'namespace-per-app' or 'labels'.")]
    public string NamespaceMode { get; set; } = NamespacePerApp;

    /// <summary>The one namespace of every app in <c>labels</c> mode.</summary>
    [RegularExpression("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    public string Namespace { get; set; } = "slipway-apps";

    /// <summary>The prefix of each app's namespace in <c>namespace-per-app</c> mode.</summary>
    [RegularExpression("^([a-z0-9][-a-z0-9]*)?$")]
    public string NamespacePrefix { get; set; } = "slipway-";

    /// <summary>When set (<c>{app}.apps.example.com</c>), each app with web processes gets an Ingress for that host.</summary>
    public string? IngressHostPattern { get; set; }

    /// <summary>The Ingress class of those Ingresses; empty for the cluster's default.</summary>
    public string? IngressClassName { get; set; }

    /// <summary>The port the app's processes listen on (<c>PORT</c>) inside the pod.</summary>
    [Range(1, 65535)]
    public int ContainerPort { get; set; } = 5000;

    /// <summary>How long a pod's <c>SLUG_URL</c> stays valid; a restart or scale after that signs a fresh one.</summary>
    [Range(1, 7 * 24 * 60)]
    public int SlugUrlLifetimeMinutes { get; set; } = 24 * 60;

    /// <summary>The Deployments' <c>progressDeadlineSeconds</c>: a rollout that makes no progress for this long fails the release.</summary>
    [Range(1, 86400)]
    public int ProgressDeadlineSeconds { get; set; } = 600;

    /// <summary>How often rollouts and release Jobs are polled.</summary>
    [Range(10, 60_000)]
    public int PollIntervalMilliseconds { get; set; } = 2000;

    public TimeSpan PollInterval => TimeSpan.FromMilliseconds(PollIntervalMilliseconds);
}
