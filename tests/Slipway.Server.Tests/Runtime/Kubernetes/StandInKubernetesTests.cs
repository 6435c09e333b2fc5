using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Slipway.Server.Runtime;
using Slipway.Server.Runtime.Kubernetes;

namespace Slipway.Server.Tests.Runtime.Kubernetes;

/// <summary>The stand-in holds the runtime to the schema: what a real API server refuses, it refuses too.</summary>
public sealed class StandInKubernetesTests : IAsyncLifetime
{
    private static readonly ReleaseSpec Release = new(
        Guid.NewGuid(),
        "shop-team",
        Guid.NewGuid(),
        4,
        new string('a', 64),
        new Dictionary<string, string> { ["web"] = "serve" },
        new Dictionary<string, string> { ["KEY"] = "value" },
        new Dictionary<string, int> { ["web"] = 2 },
        null,
        TimeSpan.FromSeconds(60));

    private StandInKubernetes? _kube;
    private IKubernetes? _client;

    private StandInKubernetes Kube => _kube!;

    private IKubernetes Client => _client!;

    public async ValueTask InitializeAsync()
    {
        _kube = await StandInKubernetes.StartAsync();
        _client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(_kube.KubeConfigPath));
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = "apps" } });
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_kube is not null)
        {
            await _kube.DisposeAsync();
        }
    }

    [Fact]
    public async Task Deployment_FromTheRuntime_IsAcceptedAndRollsOut()
    {
        var created = await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment(), "apps");

        Assert.Equal(1, created.Metadata.Generation);
        var read = await Client.AppsV1.ReadNamespacedDeploymentAsync(created.Metadata.Name, "apps");
        Assert.Equal((true, (string?)null), KubernetesRollout.StatusOf(read));
        Assert.Equal(2, (await Client.CoreV1.ListNamespacedPodAsync("apps", labelSelector: $"slipway.io/app-id={Release.AppId}")).Items.Count);
        Assert.Single((await Client.AppsV1.ListNamespacedReplicaSetAsync("apps")).Items);
    }

    [Fact]
    public async Task Deployment_WhoseSelectorMissesTheTemplateLabels_IsInvalid()
    {
        var deployment = Deployment();
        deployment.Spec.Selector.MatchLabels["slipway.io/process-type"] = "worker";

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, "apps"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Contains("`selector` does not match template `labels`", Message(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deployment_WithABadNameOrNoImage_IsInvalid()
    {
        var badName = Deployment();
        badName.Metadata.Name = "Shop_Web";
        var noImage = Deployment();
        noImage.Spec.Template.Spec.Containers[0].Image = "";

        var nameError = await Assert.ThrowsAsync<HttpOperationException>(() => Client.AppsV1.CreateNamespacedDeploymentAsync(badName, "apps"));
        var imageError = await Assert.ThrowsAsync<HttpOperationException>(() => Client.AppsV1.CreateNamespacedDeploymentAsync(noImage, "apps"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, nameError.Response.StatusCode);
        Assert.Contains("metadata.name: Invalid value: \"Shop_Web\"", Message(nameError), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, imageError.Response.StatusCode);
        Assert.Contains("spec.template.spec.containers[0].image: Required value", Message(imageError), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replace_WithAStaleResourceVersion_Conflicts()
    {
        var created = await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment(), "apps");
        await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("{\"spec\":{\"replicas\":3}}", V1Patch.PatchType.MergePatch), created.Metadata.Name, "apps");

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.AppsV1.ReplaceNamespacedDeploymentAsync(created, created.Metadata.Name, "apps"));

        Assert.Equal(HttpStatusCode.Conflict, error.Response.StatusCode);
        Assert.Equal(3, (await Client.AppsV1.ReadNamespacedDeploymentAsync(created.Metadata.Name, "apps")).Spec.Replicas);
    }

    [Fact]
    public async Task Selector_CannotChangeOnUpdate()
    {
        var created = await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment(), "apps");
        created.Spec.Selector.MatchLabels.Remove("slipway.io/process-type");

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Client.AppsV1.ReplaceNamespacedDeploymentAsync(created, created.Metadata.Name, "apps"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Contains("spec.selector: Invalid value: field is immutable", Message(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secret_AndJob_FromTheRuntime_AreAccepted()
    {
        var secret = await Client.CoreV1.CreateNamespacedSecretAsync(KubernetesObjects.Secret(Release, "apps"), "apps");
        var job = await Client.BatchV1.CreateNamespacedJobAsync(KubernetesObjects.ReleaseJob(Release with { ProcessTypes = new Dictionary<string, string> { ["release"] = "migrate" } }, "apps", new Uri("http://slugs/x"), new KubernetesOptions(), 60), "apps");

        Assert.Equal("value"u8.ToArray(), secret.Data["KEY"]);
        Assert.Equal(1, (await Client.BatchV1.ReadNamespacedJobAsync(job.Metadata.Name, "apps")).Status.Succeeded);
    }

    [Fact]
    public async Task PodWatch_FromAListsResourceVersion_SendsTheChangesOfMatchingPods()
    {
        var selector = KubernetesDynos.Selector(Release.AppId);
        var listed = await Client.CoreV1.ListNamespacedPodAsync("apps", labelSelector: selector);
        using var timeout = new CancellationTokenSource(Poll.Default);
        var events = new List<(WatchEventType Type, string Pod)>();
        var watching = Task.Run(async () =>
        {
            await foreach (var (type, pod) in Client.CoreV1.WatchListNamespacedPodAsync("apps", labelSelector: selector, resourceVersion: listed.Metadata.ResourceVersion, cancellationToken: timeout.Token))
            {
                events.Add((type, pod.Metadata.Name));
                if (events.Count == 4)
                {
                    break;
                }
            }
        });

        var created = await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment(), "apps");
        await Client.BatchV1.CreateNamespacedJobAsync(KubernetesObjects.ReleaseJob(Release with { ProcessTypes = new Dictionary<string, string> { ["release"] = "migrate" } }, "apps", new Uri("http://slugs/x"), new KubernetesOptions(), 60), "apps");
        var pods = (await Client.CoreV1.ListNamespacedPodAsync("apps", labelSelector: selector)).Items.Select(p => p.Metadata.Name).Order(StringComparer.Ordinal).ToList();
        await Client.AppsV1.DeleteNamespacedDeploymentAsync(created.Metadata.Name, "apps");
        await watching;

        Assert.Empty(listed.Items);
        Assert.Equal(2, pods.Count);
        Assert.Equal([WatchEventType.Added, WatchEventType.Added, WatchEventType.Deleted, WatchEventType.Deleted], events.Select(e => e.Type));
        Assert.Equal(pods, events.Take(2).Select(e => e.Pod).Order(StringComparer.Ordinal));
        Assert.Equal(pods, events.Skip(2).Select(e => e.Pod).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task PodLog_Followed_StreamsNewLinesUntilThePodGoes()
    {
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment(), "apps");
        var pod = (await Client.CoreV1.ListNamespacedPodAsync("apps", labelSelector: KubernetesDynos.Selector(Release.AppId))).Items[0].Metadata.Name;
        using var timeout = new CancellationTokenSource(Poll.Default);

        await using var stream = await Client.CoreV1.ReadNamespacedPodLogAsync(pod, "apps", follow: true, cancellationToken: timeout.Token);
        using var reader = new StreamReader(stream);
        var first = await reader.ReadLineAsync(timeout.Token);
        Kube.WriteLog("apps", pod, "a line printed later");
        var second = await reader.ReadLineAsync(timeout.Token);
        await Client.CoreV1.DeleteNamespacedPodAsync(pod, "apps");
        var end = await reader.ReadLineAsync(timeout.Token);

        Assert.Equal($"{pod} of v4 listening", first);
        Assert.Equal("a line printed later", second);
        Assert.Null(end);
        Assert.Empty(Kube.FollowedPods);
    }

    [Fact]
    public async Task Server_OnKubernetesWithFolderSlugsAndNoPublicUrl_RefusesToStart()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Slipway:Runtime:Kind"] = "kubernetes",
            ["Slipway:Runtime:Kubernetes:KubeConfigPath"] = Kube.KubeConfigPath,
        };

        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => Slipway.TestSupport.SlipwayTestServer.StartAsync(settings: settings));

        Assert.Contains("Slipway:PublicUrl is required", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("shop-team", "shop-team")]
    [InlineData("9lives-pets", "app-9lives-pets")]
    [InlineData("averyveryverylongappname-averyveryverylongspacename", "averyveryverylongappname-averyv-")]
    public void NameOf_IsAShortDnsLabel(string key, string prefix)
    {
        var name = KubernetesObjects.NameOf(key);

        Assert.StartsWith(prefix, name, StringComparison.Ordinal);
        Assert.InRange(name.Length, 1, 40);
        Assert.Matches("^[a-z]([-a-z0-9]*[a-z0-9])?$", name);
    }

    /// <summary>The <c>Status</c> message of a refused request.</summary>
    private static string Message(HttpOperationException error)
    {
        var status = System.Text.Json.Nodes.JsonNode.Parse(error.Response.Content)!;
        Assert.Equal("Status", status["kind"]!.GetValue<string>());
        return status["message"]!.GetValue<string>();
    }

    private static V1Deployment Deployment() =>
        KubernetesObjects.Deployment(Release, "apps", "web", new Uri("http://slipway.test/slug-blobs/a?expires=1&signature=b"), new KubernetesOptions());
}
