using System.Text.RegularExpressions;

namespace Slipway.EndToEnd.Tests.Ui;

public sealed class RollbackTests(DashboardFixture fixture) : DashboardTest(fixture)
{
    [Fact]
    public async Task Rollback_FromButton_ConfirmationShowsChangesAndNewReleaseBecomesCurrent()
    {
        using var api = Api();
        var app = (await api.CreateAppAsync()).Name;
        var first = await api.CreateSlugAsync(app, commit: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", message: "First commit\n\nwith a body");
        await api.DeployAsync(app, first.Id);
        await api.SetConfigAsync(app, new Dictionary<string, string?> { ["FOO"] = "1", ["BAR"] = "1", ["KEEP"] = "same" });
        var second = await api.CreateSlugAsync(app, commit: "ffeeddccbbaa99887766554433221100ffeeddcc", message: "Second commit");
        await api.DeployAsync(app, second.Id);
        await api.SetConfigAsync(app, new Dictionary<string, string?> { ["FOO"] = "2", ["BAR"] = null, ["BAZ"] = "1" });

        await SignInAsync();
        await OpenAppAsync(app);
        await ExpectCurrentAsync(4);
        await Expect(ReleaseRow(3)).ToContainTextAsync("ffeeddc");
        await Expect(ReleaseRow(3)).ToContainTextAsync("Second commit");
        await Expect(ReleaseRow(4).GetByRole(AriaRole.Button, new() { Name = "Rollback to v4" })).ToHaveCountAsync(0);

        await ReleaseRow(2).GetByRole(AriaRole.Button, new() { Name = "Rollback to v2" }).ClickAsync();

        var dialog = Page.GetByRole(AriaRole.Dialog, new() { Name = $"Roll back {app} to v2?" });
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog).ToContainTextAsync("creates release v5");
        var code = dialog.Locator("[data-change=code]");
        await Expect(code).ToContainTextAsync("Now ffeeddc Second commit");
        await Expect(code).ToContainTextAsync("After a1b2c3d First commit");
        await Expect(code).ToContainTextAsync(first.Checksum["SHA256:".Length..][..10]);
        var config = dialog.Locator("[data-change=config]");
        Assert.Equal(["BAR"], await config.Locator("[data-names=added] code").AllInnerTextsAsync());
        Assert.Equal(["BAZ"], await config.Locator("[data-names=removed] code").AllInnerTextsAsync());
        Assert.Equal(["FOO"], await config.Locator("[data-names=changed] code").AllInnerTextsAsync());
        await Expect(config).Not.ToContainTextAsync("KEEP");
        await Expect(dialog.Locator("[data-change=addons]")).ToContainTextAsync("Stay as they are");
        await ScreenshotAsync("confirmation");

        await dialog.GetByRole(AriaRole.Button, new() { Name = "Rollback to v2" }).ClickAsync();

        await Expect(Page).ToHaveURLAsync(new Regex($"/ui/apps/{app}#v5$"));
        await Expect(Page.Locator("#flash")).ToContainTextAsync("Release v5 created: Rollback to v2");
        await Expect(ReleaseRow(5)).ToContainTextAsync("Rollback to v2");
        await ExpectCurrentAsync(5);
        await Expect(Page.Locator("#live-state")).ToContainTextAsync("v5");
        await Expect(ReleaseRow(4).Locator("[data-status]")).ToHaveTextAsync("Succeeded");
    }

    [Fact]
    public async Task Rollback_WhenAnotherReleaseArrivedFirst_ShowsTheRefusalInTheDialog()
    {
        using var api = Api();
        var app = (await api.CreateAppAsync()).Name;
        await api.DeployAsync(app, (await api.CreateSlugAsync(app, commit: "1111111aaaaaaa")).Id);
        await api.DeployAsync(app, (await api.CreateSlugAsync(app, commit: "2222222bbbbbbb")).Id);
        await SignInAsync();
        await OpenAppAsync(app);
        await ExpectCurrentAsync(2);

        await ReleaseRow(1).GetByRole(AriaRole.Button, new() { Name = "Rollback to v1" }).ClickAsync();
        var dialog = Page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("creates release v3");
        await api.SetConfigAsync(app, new Dictionary<string, string?> { ["LATE"] = "1" });
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Rollback to v1" }).ClickAsync();

        await Expect(dialog.GetByRole(AriaRole.Alert)).ToContainTextAsync("is at v3, not v2: another release got there first");
        await Expect(dialog).ToContainTextAsync("creates release v4");
        await Expect(dialog.Locator("[data-names=removed]")).ToContainTextAsync("LATE");
        Assert.Equal(3, (await api.ListReleasesAsync(app)).Count);
        await ScreenshotAsync("refused");

        await dialog.GetByRole(AriaRole.Link, new() { Name = "Cancel" }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(Page.Locator("#rollback-v1")).ToBeFocusedAsync();
    }
}
