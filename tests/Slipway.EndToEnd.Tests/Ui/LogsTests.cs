namespace Slipway.EndToEnd.Tests.Ui;

public sealed class LogsTests(DashboardFixture fixture) : DashboardTest(fixture)
{
    [Fact]
    public async Task LogTail_ShowsTheAppsOutput_AndHoldsNewLinesWhilePaused()
    {
        using var api = Api();
        var app = (await api.CreateAppAsync()).Name;
        await api.DeployAsync(app, (await api.CreateSlugAsync(app)).Id);
        await SignInAsync();
        await OpenAppAsync(app);
        var lines = Page.Locator("#log-lines");
        await Expect(Page.Locator("#log-state")).ToHaveTextAsync("Live");

        var first = "/first-" + Guid.NewGuid().ToString("N")[..8];
        await GetThroughRouterAsync(app, first);
        await Expect(lines).ToContainTextAsync($"GET {first} HTTP/1.1");
        await Expect(lines.Locator(".line", new() { HasText = $"GET {first} HTTP/1.1" }).Locator(".line-source")).ToHaveTextAsync("app[web.1]");
        await Expect(lines.Locator(".line", new() { HasText = $"path={first} " }).Locator(".line-source")).ToHaveTextAsync("slipway[router]");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        var second = "/second-" + Guid.NewGuid().ToString("N")[..8];
        await GetThroughRouterAsync(app, second);
        await Expect(Page.Locator("#log-state")).ToContainTextAsync("new line");
        await Expect(lines).Not.ToContainTextAsync(second);
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Resume" })).ToHaveAttributeAsync("aria-pressed", "true");

        await Page.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await Expect(lines).ToContainTextAsync($"GET {second} HTTP/1.1");
        await Expect(Page.Locator("#log-state")).ToHaveTextAsync("Live");
    }

    /// <summary>A request to the app through Slipway's router, so the app logs it.</summary>
    private async Task GetThroughRouterAsync(string app, string path)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{Server.RouterPort}{path}");
        request.Headers.Host = $"{app}.localhost";
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }
}
