using static Slipway.Server.Tests.Runtime.Kubernetes.KubernetesRuntimeTests;

namespace Slipway.Server.Tests.Runtime.Kubernetes;

/// <summary>Every app in one namespace (<c>labels</c> mode), with an Ingress from the host pattern.</summary>
public sealed class LabelsModeTests(LabelsModeFixture fixture) : IClassFixture<LabelsModeFixture>
{
    [Fact]
    public async Task TwoApps_ShareTheNamespaceAndEachGetsAnIngress()
    {
        await using var first = await fixture.CreateAppAsync();
        var second = await fixture.CreateAppAsync();
        await first.DeploySucceededAsync(await first.UploadSlugAsync("A", new() { ["web"] = "serve" }));
        await second.DeploySucceededAsync(await second.UploadSlugAsync("B", new() { ["web"] = "serve", ["worker"] = "work" }));

        Assert.Null(fixture.Kube.Get("namespaces", "", $"slipway-{first.Key}"));
        Assert.Equal(["apps"], fixture.Kube.List("namespaces").Select(n => Str(n, "metadata", "name")));
        Assert.Equal(
            new[] { $"{first.Key}-web", $"{second.Key}-web", $"{second.Key}-worker" }.Order(StringComparer.Ordinal),
            fixture.Kube.List("deployments", "apps").Select(d => Str(d, "metadata", "name")).Order(StringComparer.Ordinal));

        var ingress = fixture.Kube.Get("ingresses", "apps", first.Key)!;
        Assert.Equal("nginx", Str(ingress, "spec", "ingressClassName"));
        Assert.Equal($"{first.Key}.apps.example.com", Str(ingress, "spec", "rules", "0", "host"));
        Assert.Equal("Prefix", Str(ingress, "spec", "rules", "0", "http", "paths", "0", "pathType"));
        Assert.Equal($"{first.Key}-web", Str(ingress, "spec", "rules", "0", "http", "paths", "0", "backend", "service", "name"));
        Assert.Single(await first.DynosAsync());

        await second.DisposeAsync();

        Assert.Equal([$"{first.Key}-web"], fixture.Kube.List("deployments", "apps").Select(d => Str(d, "metadata", "name")));
        Assert.Equal([$"{first.Key}-web"], fixture.Kube.List("services", "apps").Select(d => Str(d, "metadata", "name")));
        Assert.Equal([first.Key], fixture.Kube.List("ingresses", "apps").Select(d => Str(d, "metadata", "name")));
        Assert.All(fixture.Kube.List("secrets", "apps"), s => Assert.Equal(first.Key, Str(s, "metadata", "labels", "slipway.io/app")));
        Assert.All(fixture.Kube.List("pods", "apps"), p => Assert.Equal(first.Key, Str(p, "metadata", "labels", "slipway.io/app")));
    }
}
