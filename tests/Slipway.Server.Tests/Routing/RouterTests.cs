using System.Net;
using Slipway.Server.Tests.Runtime;

namespace Slipway.Server.Tests.Routing;

/// <summary>The built-in router: which app a host names, and the address an app is reached at.</summary>
public sealed class RouterTests(RuntimeServerFixture fixture) : IClassFixture<RuntimeServerFixture>
{
    [Fact]
    public async Task Router_UnknownHost_AnswersNotFound()
    {
        await using var app = await fixture.CreateAppAsync();

        var (status, body) = await app.GetAsync(host: "nosuchapp-nospace.localhost");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("No such app", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await app.GetAsync(host: "example.com")).Status);
    }

    [Fact]
    public async Task App_WebUrl_PointsAtTheRouter()
    {
        await using var app = await fixture.CreateAppAsync();

        var response = await SlipwayApi.ReadAsync<Slipway.Contracts.AppResponse>(await app.Api.GetAsync($"/apps/{app.Key}", TestContext.Current.CancellationToken), HttpStatusCode.OK);

        Assert.Equal($"http://{app.Key}.localhost:{fixture.Server.RouterPort}", response.WebUrl);
    }
}
