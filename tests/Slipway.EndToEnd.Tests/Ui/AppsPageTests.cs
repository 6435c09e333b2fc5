using System.Text.RegularExpressions;

namespace Slipway.EndToEnd.Tests.Ui;

public sealed class AppsPageTests(DashboardFixture fixture) : DashboardTest(fixture)
{
    [Fact]
    public async Task Apps_CreateSpaceThenApp_LandsOnTheNewAppPage()
    {
        var space = Unique("qa");
        var app = Unique("web");
        await SignInAsync();

        var spaceForm = Page.Locator("form", new() { Has = Page.GetByRole(AriaRole.Button, new() { Name = "Create space" }) });
        await spaceForm.GetByLabel("Name").FillAsync(space);
        await spaceForm.GetByLabel("Description (optional)").FillAsync("Where QA tries things");
        await spaceForm.GetByRole(AriaRole.Button, new() { Name = "Create space" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Space {space} created");
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = $"Space {space}" })).ToBeVisibleAsync();
        await Expect(Page.Locator($"#space-{space}")).ToContainTextAsync("Where QA tries things");

        var form = Page.Locator("form", new() { Has = Page.GetByRole(AriaRole.Button, new() { Name = "Create app" }) });
        await form.GetByLabel("Name").FillAsync(app);
        await Expect(form.GetByLabel("Space")).ToHaveValueAsync(space);
        await form.GetByRole(AriaRole.Button, new() { Name = "Create app" }).ClickAsync();

        await Expect(Page).ToHaveURLAsync(new Regex($"/ui/apps/{app}-{space}$"));
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = $"{app}-{space}", Level = 1 })).ToBeVisibleAsync();
        await Expect(Page.Locator("#releases")).ToContainTextAsync("No releases yet");
        var remote = Page.Locator("#git-remote");
        await Expect(remote).ToContainTextAsync($"/git/{app}-{space}.git");
        await Expect(remote).ToContainTextAsync($"aka git:remote -a {app}-{space}");
        await Expect(remote).ToContainTextAsync("git push slipway main");

        await Page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" }).GetByRole(AriaRole.Link, new() { Name = "Apps" }).ClickAsync();
        await Expect(Page.Locator($"#space-{space}").GetByRole(AriaRole.Link, new() { Name = $"{app}-{space}" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Apps_CreateAppWithInvalidName_ShowsErrorNextToName()
    {
        using var api = Api();
        var existing = await api.CreateAppAsync();
        await SignInAsync();

        var form = Page.Locator("form", new() { Has = Page.GetByRole(AriaRole.Button, new() { Name = "Create app" }) });
        await form.GetByLabel("Space").SelectOptionAsync(existing.Space.Name);
        await form.GetByLabel("Name").FillAsync("Not-Valid");
        await form.GetByRole(AriaRole.Button, new() { Name = "Create app" }).ClickAsync();

        var name = form.GetByLabel("Name");
        await Expect(form.Locator("#appName-error")).ToContainTextAsync("App name 'Not-Valid' is not valid");
        await Expect(name).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(name).ToHaveValueAsync("Not-Valid");
        await Expect(form.GetByLabel("Space")).Not.ToHaveAttributeAsync("aria-invalid", "true");
    }

    [Fact]
    public async Task App_ThatDoesNotExist_ShowsNotFoundWithAWayBack()
    {
        await SignInAsync();

        var response = await Page.GotoAsync("/ui/apps/nosuchapp-nowhere");

        Assert.Equal(404, response!.Status);
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Not found", Level = 1 })).ToBeVisibleAsync();
        await Expect(Page.GetByText("There is no app 'nosuchapp-nowhere'")).ToBeVisibleAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "Back to your apps" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Apps", Level = 1 })).ToBeVisibleAsync();
    }
}
