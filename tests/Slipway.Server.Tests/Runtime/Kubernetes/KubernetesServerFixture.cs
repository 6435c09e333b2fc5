namespace Slipway.Server.Tests.Runtime.Kubernetes;

/// <summary>A stand-in Kubernetes API server and a real Slipway server whose runtime is Kubernetes, pointed at it by a kubeconfig.</summary>
public class KubernetesServerFixture : SlipwayServerFixture
{
    /// <summary>Where pods would reach Slipway; signed slug URLs start with it.</summary>
    public const string PublicUrl = "http://slipway.test:5000";

    private StandInKubernetes? _kube;

    public StandInKubernetes Kube => _kube ?? throw new InvalidOperationException("The stand-in has not started.");

    public Task<RuntimeApp> CreateAppAsync() => RuntimeApp.CreateAsync(Server.Api(), Server.RouterPort);

    protected override IReadOnlyDictionary<string, string?> Settings => ServerSettings.QuickRuntime.With(new Dictionary<string, string?>
    {
        ["Slipway:Runtime:Kind"] = "kubernetes",
        ["Slipway:Runtime:Kubernetes:KubeConfigPath"] = Kube.KubeConfigPath,
        ["Slipway:Runtime:Kubernetes:PollIntervalMilliseconds"] = "20",
        ["Slipway:Runtime:Kubernetes:RunnerImage"] = "registry.example.com/slipway/slugrunner:1",
        ["Slipway:PublicUrl"] = PublicUrl,
    });

    protected override async Task StartDependenciesAsync() => _kube = Own(await StandInKubernetes.StartAsync());
}

/// <summary>Every app in one namespace told apart by labels, with an Ingress per app.</summary>
public sealed class LabelsModeFixture : KubernetesServerFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => base.Settings.With(new Dictionary<string, string?>
    {
        ["Slipway:Runtime:Kubernetes:NamespaceMode"] = "labels",
        ["Slipway:Runtime:Kubernetes:Namespace"] = "apps",
        ["Slipway:Runtime:Kubernetes:IngressHostPattern"] = "{app}.apps.example.com",
        ["Slipway:Runtime:Kubernetes:IngressClassName"] = "nginx",
    });
}
