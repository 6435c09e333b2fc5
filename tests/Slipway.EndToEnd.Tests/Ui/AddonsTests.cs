using System.Text.RegularExpressions;

namespace Slipway.EndToEnd.Tests.Ui;

public sealed class AddonsTests(DashboardFixture fixture) : DashboardTest(fixture)
{
    [Fact]
    public async Task Attach_Filestore_MakesARelease_ShowsItsConfigVarName_AndDetachRemovesIt()
    {
        using var api = Api();
        var app = (await api.CreateAppAsync()).Name;
        await api.DeployAsync(app, (await api.CreateSlugAsync(app)).Id);
        await SignInAsync();
        await OpenAppAsync(app);
        await Expect(Page.Locator("#addons")).ToContainTextAsync("No add-ons attached.");

        await Page.GetByLabel("Service and plan").SelectOptionAsync("filestore:standard");
        await Page.GetByLabel("Name (optional)").FillAsync("files");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Attach", Exact = true }).ClickAsync();

        var addon = Page.Locator("[data-addon='files']");
        await Expect(addon).ToContainTextAsync("FILESTORE_PATH", new() { Timeout = FinalStateTimeout });
        await Expect(addon).ToContainTextAsync("filestore:standard");
        await Expect(addon.Locator("[data-state]")).ToHaveTextAsync("Attached");
        await Expect(ReleaseRow(2)).ToContainTextAsync("Attach files add-on");
        await ExpectCurrentAsync(2);
        await ScreenshotAsync("attached");

        Page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await addon.GetByRole(AriaRole.Button, new() { Name = "Detach files" }).ClickAsync();

        await Expect(ReleaseRow(3)).ToContainTextAsync("Detach files add-on", new() { Timeout = FinalStateTimeout });
        await Expect(addon).ToHaveCountAsync(0, new() { Timeout = FinalStateTimeout });
        await Expect(Page.Locator("#addons")).ToContainTextAsync("No add-ons attached.");
        await ExpectCurrentAsync(3);
    }

    [Fact]
    public async Task Attach_WithAnInvalidName_ShowsTheErrorNextToTheName()
    {
        using var api = Api();
        var app = (await api.CreateAppAsync()).Name;
        await SignInAsync();
        await OpenAppAsync(app);

        await Page.GetByLabel("Service and plan").SelectOptionAsync("filestore:standard");
        await Page.GetByLabel("Name (optional)").FillAsync("Not A Name!");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Attach", Exact = true }).ClickAsync();

        await Expect(Page.Locator("#addonName-error")).ToContainTextAsync(new Regex("name", RegexOptions.IgnoreCase));
        await Expect(Page.GetByLabel("Service and plan")).ToHaveValueAsync("filestore:standard");
        await Expect(Page.Locator("#addons")).ToContainTextAsync("No add-ons attached.");
    }
}
