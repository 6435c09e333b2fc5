namespace Slipway.EndToEnd.Tests.Ui;

/// <summary>The dashboard at a phone's width (390 CSS pixels): everything fits, nothing scrolls sideways.</summary>
public sealed class PhoneLayoutTests(DashboardFixture fixture) : DashboardTest(fixture)
{
    protected override ViewportSize Viewport { get; } = new() { Width = 390, Height = 844 };

    [Fact]
    public async Task Layout_AtPhoneWidth_HasNoHorizontalOverflow()
    {
        using var api = Api();
        var space = await api.CreateSpaceAsync("production-eu-west");
        var app = (await api.CreateAppAsync(space.Name, "storefrontcheckout")).Name;
        var slug = await api.CreateSlugAsync(app, commit: "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432", message: "Make the checkout page load its recommendations lazily so the first paint is quicker on slow phones");
        await api.DeployAsync(app, slug.Id);
        await api.SetConfigAsync(app, new Dictionary<string, string?>
        {
            ["DATABASE_CONNECTION_STRING_FOR_THE_REPORTING_REPLICA"] = "postgres://reporting:averyveryveryverylongpasswordwithoutanyspaces@replica.internal:5432/reporting",
            ["FEATURE_FLAGS"] = "checkout-v2,lazy-recommendations",
        });
        await api.DeployAsync(app, (await api.CreateSlugAsync(app, commit: "0a1b2c3d4e5f")).Id);

        await Page.GotoAsync("/ui/sign-in");
        await ExpectNoHorizontalOverflowAsync("sign-in");

        await SignInAsync();
        await ExpectNoHorizontalOverflowAsync("apps");

        await OpenAppAsync(app);
        await ExpectCurrentAsync(3);
        await Page.Locator("#config-DATABASE_CONNECTION_STRING_FOR_THE_REPORTING_REPLICA")
            .GetByRole(AriaRole.Button, new() { Name = "Reveal the value of DATABASE_CONNECTION_STRING_FOR_THE_REPORTING_REPLICA" }).ClickAsync();
        await Expect(Page.Locator("#value-DATABASE_CONNECTION_STRING_FOR_THE_REPORTING_REPLICA")).ToContainTextAsync("averyveryvery");
        await ExpectNoHorizontalOverflowAsync("app");
        await Expect(Page.Locator("[data-dyno='web.1'] [data-state]")).ToHaveTextAsync("Up", new() { Timeout = FinalStateTimeout });
        await Expect(Page.Locator("#log-lines")).ToContainTextAsync("Release v3 succeeded");
        foreach (var section in new[] { "builds", "processes", "addons", "logs" })
        {
            var area = await Page.Locator($"#{section}").BoundingBoxAsync();
            Assert.True(area is not null && area.X >= 0 && area.X + area.Width <= Viewport.Width, $"#{section} is wider than the screen.");
            await Page.Locator($"#{section}").ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, $"Layout_AtPhoneWidth_{section}.png") });
        }

        await ReleaseRow(1).GetByRole(AriaRole.Button, new() { Name = "Rollback to v1" }).ClickAsync();
        var dialog = Page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("Roll back");
        var box = await dialog.BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box.X >= 0 && box.X + box.Width <= Viewport.Width, $"The dialog spans {box.X}..{box.X + box.Width}, wider than the screen.");
        Assert.True(await dialog.EvaluateAsync<bool>("d => d.scrollWidth <= d.clientWidth"), "The dialog's content scrolls sideways.");
        await ExpectNoHorizontalOverflowAsync("rollback");
    }

    private async Task ExpectNoHorizontalOverflowAsync(string scene)
    {
        await ScreenshotAsync(scene);
        var widths = await Page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        Assert.True(widths[0] <= widths[1], $"{scene}: the page is {widths[0]}px wide on a {widths[1]}px screen.");
    }
}
