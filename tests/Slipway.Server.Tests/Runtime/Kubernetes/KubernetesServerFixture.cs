using Slipway.TestSupport;

namespace Slipway.Server.Tests.Runtime.Kubernetes;

/// <summary>A stand-in Kubernetes API server and a real Slipway server whose runtime is Kubernetes, pointed at it by a kubeconfig.</summary>
public class KubernetesServerFixture : IAsyncLifetime
{
    /// <summary>Where pods would reach Slipway; signed slug URLs start with it.</summary>
    public const string PublicUrl = "http://slipway.test:5000";

    private StandInKubernetes? _kube;
    private SlipwayTestServer? _server;

    public StandInKubernetes Kube => _kube ?? throw new InvalidOperationException("The stand-in has not started.");

    public SlipwayTestServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public async ValueTask InitializeAsync()
    {
        _kube = await StandInKubernetes.StartAsync();
        var settings = new Dictionary<string, string?>(RuntimeServerFixture.Settings)
        {
            ["Slipway:Runtime:Kind"] = "kubernetes",
            ["Slipway:Runtime:Kubernetes:KubeConfigPath"] = _kube.KubeConfigPath,
            ["Slipway:Runtime:Kubernetes:PollIntervalMilliseconds"] = "20",
            ["Slipway:Runtime:Kubernetes:RunnerImage"] = "registry.example.com/slipway/slugrunner:1",
            ["Slipway:PublicUrl"] = PublicUrl,
        };
        foreach (var (key, value) in ExtraSettings)
        {
            settings[key] = value;
        }

        _server = await SlipwayTestServer.StartAsync(settings: settings);
    }

    public Task<RuntimeApp> CreateAppAsync() => RuntimeApp.CreateAsync(Server.Client(), Server.RouterPort);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_kube is not null)
        {
            await _kube.DisposeAsync();
        }
    }

    protected virtual Dictionary<string, string?> ExtraSettings => [];
}

/// <summary>Every app in one namespace told apart by labels, with an Ingress per app.</summary>
public sealed class LabelsModeFixture : KubernetesServerFixture
{
    protected override Dictionary<string, string?> ExtraSettings => new()
    {
        ["Slipway:Runtime:Kubernetes:NamespaceMode"] = "labels",
        ["Slipway:Runtime:Kubernetes:Namespace"] = "apps",
        ["Slipway:Runtime:Kubernetes:IngressHostPattern"] = "{app}.apps.example.com",
        ["Slipway:Runtime:Kubernetes:IngressClassName"] = "nginx",
    };
}
