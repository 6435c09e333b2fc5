namespace Slipway.EndToEnd.Tests.Ui;

public sealed class ProcessesTests(DashboardFixture fixture) : DashboardTest(fixture)
{
    [Fact]
    public async Task Scale_WebToTwo_ShowsTwoProcessesUpAndRestartStartsThemAgain()
    {
        using var api = Api();
        var app = (await api.CreateAppAsync()).Name;
        await api.DeployAsync(app, (await api.CreateSlugAsync(app)).Id);
        await SignInAsync();
        await OpenAppAsync(app);
        await Expect(Page.Locator("[data-dyno='web.1'] [data-state]")).ToHaveTextAsync("Up", new() { Timeout = FinalStateTimeout });

        await Page.GetByLabel("Number of web processes").FillAsync("2");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Scale web" }).ClickAsync();

        await Expect(Page.Locator("#processes .notice")).ToContainTextAsync("Formation saved");
        await Expect(Page.Locator("[data-dyno='web.2'] [data-state]")).ToHaveTextAsync("Up", new() { Timeout = FinalStateTimeout });
        await Expect(Page.Locator("[data-dyno='web.1'] [data-state]")).ToHaveTextAsync("Up");
        await Expect(Page.Locator("#running-processes")).ToContainTextAsync("2 of 2 up");
        await Expect(Page.Locator("[data-type='web']")).ToContainTextAsync("2 of 2 up");
        await Expect(Page.GetByLabel("Number of web processes")).ToHaveValueAsync("2");
        await ScreenshotAsync("scaled");

        var before = await Page.Locator("[data-dyno='web.1'] time").GetAttributeAsync("datetime");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Restart web" }).ClickAsync();

        await Expect(Page.Locator("#processes .notice")).ToContainTextAsync("Restarting");
        await Expect(Page.Locator($"[data-dyno='web.1'] time:not([datetime='{before}'])").First).ToBeVisibleAsync(new() { Timeout = FinalStateTimeout });
        await Expect(Page.Locator("[data-dyno='web.1']")).ToHaveCountAsync(1, new() { Timeout = FinalStateTimeout });
        await Expect(Page.Locator("[data-dyno='web.2']")).ToHaveCountAsync(1, new() { Timeout = FinalStateTimeout });
        await Expect(Page.Locator("[data-dyno='web.2'] [data-state]")).ToHaveTextAsync("Up", new() { Timeout = FinalStateTimeout });

        var web2Since = await Page.Locator("[data-dyno='web.2'] time").GetAttributeAsync("datetime");
        Page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Restart all" }).ClickAsync();

        await Expect(Page.Locator($"[data-dyno='web.2'] time:not([datetime='{web2Since}'])").First).ToBeVisibleAsync(new() { Timeout = FinalStateTimeout });

        // A restart starts the new processes next to the old ones, then stops the old.
        await Expect(Page.Locator("[data-dyno='web.1']")).ToHaveCountAsync(1, new() { Timeout = FinalStateTimeout });
        await Expect(Page.Locator("[data-dyno='web.2']")).ToHaveCountAsync(1, new() { Timeout = FinalStateTimeout });
        await Expect(Page.Locator("[data-dyno='web.1'] [data-state]")).ToHaveTextAsync("Up", new() { Timeout = FinalStateTimeout });
        await Expect(Page.Locator("[data-dyno='web.2'] [data-state]")).ToHaveTextAsync("Up", new() { Timeout = FinalStateTimeout });
    }

    [Fact]
    public async Task Scale_ToANegativeNumber_IsRefusedNextToTheField()
    {
        using var api = Api();
        var app = (await api.CreateAppAsync()).Name;
        await api.DeployAsync(app, (await api.CreateSlugAsync(app)).Id);
        await SignInAsync();
        await OpenAppAsync(app);

        await Page.GetByLabel("Number of web processes").FillAsync("-1");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Scale web" }).ClickAsync();

        await Expect(Page.Locator("#quantity-web-error")).ToContainTextAsync("must be between 0 and");
        await Expect(Page.GetByLabel("Number of web processes")).ToHaveAttributeAsync("aria-invalid", "true");
    }
}
