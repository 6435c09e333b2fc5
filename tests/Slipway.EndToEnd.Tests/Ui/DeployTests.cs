using System.Text.RegularExpressions;

namespace Slipway.EndToEnd.Tests.Ui;

public sealed class DeployTests(DashboardFixture fixture) : DashboardTest(fixture)
{
    [Fact]
    public async Task Deploy_FromUrl_StreamsTheBuildOutputAndTheReleaseBecomesCurrent()
    {
        await using var archives = await ArchiveServer.StartAsync();
        var url = archives.Serve(SourceApps.Procfile(SourceApps.StaticSite), "site.tar.gz");
        using var api = Api();
        var app = (await api.CreateAppAsync()).Name;
        await SignInAsync();
        await OpenAppAsync(app);
        await Expect(Page.Locator("#builds")).ToContainTextAsync("No builds yet.");

        await Page.GetByLabel("Source URL").FillAsync(url);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Deploy", Exact = true }).ClickAsync();

        await Expect(Page).ToHaveURLAsync(new Regex($"/ui/apps/{app}\\?build=[0-9a-f-]+#builds$"));
        var output = Page.Locator("#build-output");
        await Expect(output.Locator(".line-head").First).ToContainTextAsync("-----> ");
        await Expect(output).ToContainTextAsync("Procfile", new() { Timeout = FinalStateTimeout });
        await Expect(Page.Locator("#build-output-state")).ToHaveTextAsync("Build succeeded.", new() { Timeout = FinalStateTimeout });
        await Expect(Page.Locator("#live-builds .build").First.Locator("[data-state]")).ToHaveTextAsync("Succeeded");

        await ExpectCurrentAsync(1);
        await Expect(ReleaseRow(1)).ToContainTextAsync("Deploy");
        await Expect(Page.Locator("#running-processes")).ToContainTextAsync("1 of 1 up", new() { Timeout = FinalStateTimeout });
        await Expect(Page.Locator("[data-dyno='web.1'] [data-state]")).ToHaveTextAsync("Up");
    }

    [Fact]
    public async Task Deploy_AppThatCrashes_ShowsTheFailedReleaseWithItsReasonWhileThePreviousStaysCurrent()
    {
        await using var archives = await ArchiveServer.StartAsync();
        using var api = Api();
        var app = (await api.CreateAppAsync()).Name;
        await api.DeployAsync(app, (await api.CreateSlugAsync(app, commit: "abcdef1234567")).Id);
        await SignInAsync();
        await OpenAppAsync(app);
        await ExpectCurrentAsync(1);

        await Page.GetByLabel("Source URL").FillAsync(archives.Serve(SourceApps.Procfile(SourceApps.Crashing), "crash.tar.gz"));
        await Page.GetByRole(AriaRole.Button, new() { Name = "Deploy", Exact = true }).ClickAsync();

        await Expect(Page.Locator("#build-output-state")).ToHaveTextAsync("Build succeeded.", new() { Timeout = FinalStateTimeout });
        await Expect(ReleaseRow(2).Locator("[data-status]")).ToHaveTextAsync("Failed", new() { Timeout = FinalStateTimeout });
        await Expect(ReleaseRow(2).Locator(".failure")).ToContainTextAsync("exited with status 1");
        await Expect(ReleaseRow(1).Locator("[data-status]")).ToHaveTextAsync("Current");
        await Expect(Page.Locator("#live-state")).ToContainTextAsync("Latest release");
        await Expect(Page.Locator("[data-dyno='web.1']")).ToContainTextAsync("v1");
    }

    [Fact]
    public async Task Deploy_WithoutUrl_SaysSoNextToTheField()
    {
        using var api = Api();
        var app = (await api.CreateAppAsync()).Name;
        await SignInAsync();
        await OpenAppAsync(app);

        await Page.GetByLabel("Source URL").FillAsync("ftp://example.invalid/app.tar.gz");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Deploy", Exact = true }).ClickAsync();

        await Expect(Page.Locator("#sourceUrl-error")).ToContainTextAsync("must be an http(s) URL");
        await Expect(Page.GetByLabel("Source URL")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(Page.GetByLabel("Source URL")).ToHaveValueAsync("ftp://example.invalid/app.tar.gz");
    }
}
