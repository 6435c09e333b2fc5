using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Slipway.Contracts;
using Slipway.Server.Routing;

namespace Slipway.Server.Tests.Runtime.Kubernetes;

/// <summary>On Kubernetes no local router runs, and an app's <c>web_url</c> is its Ingress, or nothing without one.</summary>
public sealed class KubernetesWebUrlTests(KubernetesServerFixture fixture) : IClassFixture<KubernetesServerFixture>
{
    [Fact]
    public async Task App_WithoutAnIngressHostPattern_HasNoWebUrlAndNoRouterRuns()
    {
        await using var app = await fixture.CreateAppAsync();
        await app.DeploySucceededAsync(await app.UploadSlugAsync("A", new() { ["web"] = "serve" }));

        var response = await app.Api.GetFromJsonAsync<AppResponse>($"/apps/{app.Key}", SlipwayJson.Options);

        Assert.Null(response!.WebUrl);
        Assert.Null(fixture.Server.Services.GetService<RouterHost>());
        Assert.Empty(fixture.Server.Services.GetServices<IHostedService>().OfType<RouterHost>());
    }
}

/// <summary>With <c>IngressHostPattern</c> set, <c>web_url</c> is the app's Ingress host, in every answer that shows the app.</summary>
public sealed class KubernetesIngressWebUrlTests(LabelsModeFixture fixture) : IClassFixture<LabelsModeFixture>
{
    [Fact]
    public async Task App_WithAnIngressHostPattern_HasItsIngressAsWebUrl()
    {
        await using var app = await fixture.CreateAppAsync();
        var expected = $"http://{app.Key}.apps.example.com";

        var shown = await app.Api.GetFromJsonAsync<AppResponse>($"/apps/{app.Key}", SlipwayJson.Options);
        var listed = await app.Api.GetFromJsonAsync<List<AppResponse>>("/apps", SlipwayJson.Options);
        await app.DeploySucceededAsync(await app.UploadSlugAsync("A", new() { ["web"] = "serve" }));

        Assert.Equal(expected, shown!.WebUrl);
        Assert.Equal(expected, listed!.Single(a => a.Name == app.Key).WebUrl);
        Assert.Equal(expected, "http://" + KubernetesRuntimeTests.Str(fixture.Kube.Get("ingresses", "apps", app.Key)!, "spec", "rules", "0", "host"));
    }
}
