namespace Slipway.EndToEnd.Tests.Ui;

public sealed class LiveUpdatesTests(DashboardFixture fixture) : DashboardTest(fixture)
{
    [Fact]
    public async Task Releases_MadeThroughApi_AppearWithoutReload()
    {
        using var api = Api();
        var app = (await api.CreateAppAsync()).Name;
        await SignInAsync();
        await OpenAppAsync(app);
        await Expect(Page.Locator("#releases")).ToContainTextAsync("No releases yet");
        await Page.EvaluateAsync("() => { window.__sameDocument = true; }");

        var slug = await api.CreateSlugAsync(app, commit: "0123456789abcdef0123", message: "Ship it");
        await api.DeployAsync(app, slug.Id);

        await Expect(ReleaseRow(1)).ToContainTextAsync($"Deploy {slug.Id.ToString("N")[..8]}");
        await Expect(ReleaseRow(1)).ToContainTextAsync("Ship it");
        await ExpectCurrentAsync(1);

        await api.SetConfigAsync(app, new Dictionary<string, string?> { ["FROM_CLI"] = "yes" });

        await Expect(ReleaseRow(2)).ToContainTextAsync("Set FROM_CLI config vars");
        await ExpectCurrentAsync(2);
        await Expect(ReleaseRow(1).Locator("[data-status]")).ToHaveTextAsync("Succeeded");
        await Expect(Page.Locator("#config-FROM_CLI")).ToBeVisibleAsync();
        await Expect(Page.Locator("#live-state")).ToContainTextAsync("v2");
        Assert.True(await Page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "The page reloaded instead of updating in place.");
        await Expect(Page.Locator("#live-announcer")).ToContainTextAsync("v2");
    }
}
