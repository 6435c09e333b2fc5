namespace Slipway.EndToEnd.Tests.Ui;

public sealed class ConfigVarsTests(DashboardFixture fixture) : DashboardTest(fixture)
{
    private ILocator AddForm => Page.Locator("#add-config");

    [Fact]
    public async Task Config_SetVar_NewReleaseAppearsAtOnceWithValueHidden()
    {
        using var api = Api();
        var app = await api.CreateAppAsync();
        await SignInAsync();
        await OpenAppAsync(app.Name);

        await AddForm.GetByLabel("Name").FillAsync("GREETING");
        await AddForm.GetByLabel("Value").FillAsync("hello-secret-world");
        await AddForm.GetByRole(AriaRole.Button, new() { Name = "Add config var" }).ClickAsync();

        await Expect(Page.Locator("#flash")).ToContainTextAsync("Release v1 created: Set GREETING config vars");
        await Expect(ReleaseRow(1)).ToContainTextAsync("Set GREETING config vars");
        await Expect(ReleaseRow(1)).ToContainTextAsync("admin@slipway.local");
        await ExpectCurrentAsync(1);

        var row = Page.Locator("#config-GREETING");
        await Expect(row.Locator("#value-GREETING")).ToHaveTextAsync("••••••••");
        Assert.DoesNotContain("hello-secret-world", await Page.ContentAsync(), StringComparison.Ordinal);

        await row.GetByRole(AriaRole.Button, new() { Name = "Reveal the value of GREETING" }).ClickAsync();
        await Expect(row.Locator("#value-GREETING")).ToHaveTextAsync("hello-secret-world");
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Hide the value of GREETING" })).ToHaveAttributeAsync("aria-pressed", "true");
    }

    [Fact]
    public async Task Config_InvalidName_ShowsErrorNextToNameAndMakesNoRelease()
    {
        using var api = Api();
        var app = await api.CreateAppAsync();
        await SignInAsync();
        await OpenAppAsync(app.Name);

        await AddForm.GetByLabel("Name").FillAsync("1-NOT-A-NAME");
        await AddForm.GetByLabel("Value").FillAsync("x");
        await AddForm.GetByRole(AriaRole.Button, new() { Name = "Add config var" }).ClickAsync();

        await Expect(AddForm.Locator("#configName-error")).ToContainTextAsync("Config var name '1-NOT-A-NAME' is not valid");
        await Expect(AddForm.GetByLabel("Name")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(AddForm.GetByLabel("Value")).Not.ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(Page.Locator("#releases")).ToContainTextAsync("No releases yet");
        Assert.Empty(await api.ListReleasesAsync(app.Name));
    }

    [Fact]
    public async Task Config_EditThenRemove_EachMakesItsOwnRelease()
    {
        using var api = Api();
        var app = await api.CreateAppAsync();
        await api.SetConfigAsync(app.Name, new Dictionary<string, string?> { ["MODE"] = "blue" });
        await SignInAsync();
        await OpenAppAsync(app.Name);
        await ExpectCurrentAsync(1);

        var row = Page.Locator("#config-MODE");
        await row.GetByRole(AriaRole.Link, new() { Name = "Edit MODE" }).ClickAsync();
        var value = row.GetByLabel("New value of MODE");
        await Expect(value).ToHaveValueAsync("blue");
        await value.FillAsync("green");
        await row.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await Expect(Page.Locator("#flash")).ToContainTextAsync("Release v2 created: Set MODE config vars");
        await ExpectCurrentAsync(2);

        Page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await Page.Locator("#config-MODE").GetByRole(AriaRole.Button, new() { Name = "Remove MODE" }).ClickAsync();

        await Expect(Page.Locator("#flash")).ToContainTextAsync("Release v3 created: Remove MODE config vars");
        await Expect(Page.Locator("#config-vars")).ToContainTextAsync("No config vars yet");
        await ExpectCurrentAsync(3);
        Assert.Equal(["Remove MODE config vars", "Set MODE config vars", "Set MODE config vars"], await Page.Locator("#releases .release-description").AllInnerTextsAsync());
    }
}
