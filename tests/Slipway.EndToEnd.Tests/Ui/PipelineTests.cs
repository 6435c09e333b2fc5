using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace Slipway.EndToEnd.Tests.Ui;

public sealed class PipelineTests(DashboardFixture fixture) : DashboardTest(fixture)
{
    [Fact]
    public async Task PipelinePage_ShowsStagesAndChecks_PromoteConfirmsWhatChanges_ThenPromotes()
    {
        using var api = Api();
        var pipeline = (await api.CreatePipelineAsync(Unique("shop-"))).Name;
        var dev = (await api.CreateAppAsync()).Name;
        var stg = (await api.CreateAppAsync()).Name;
        await api.CoupleAsync(dev, pipeline, "development");
        await api.CoupleAsync(stg, pipeline, "staging", "ci/tests");
        await api.SetConfigAsync(dev, new Dictionary<string, string> { ["ONLY_DEV"] = "secret-dev", ["SHARED"] = "1" });
        await api.SetConfigAsync(stg, new Dictionary<string, string> { ["SHARED"] = "2" });
        var slug = await api.CreateSlugAsync(dev, commit: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", message: "Ready for staging");
        var release = await api.DeployAsync(dev, slug.Id);
        var status = await api.PostReleaseStatusAsync(dev, release.Id, "pending", "ci/tests");

        await SignInAsync();
        await Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Pipelines" }).ClickAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = pipeline }).ClickAsync();

        var devCard = Page.Locator($"[data-stage=development] [data-app='{dev}']");
        var stgCard = Page.Locator($"[data-stage=staging] [data-app='{stg}']");
        await Expect(devCard.Locator("[data-release]")).ToContainTextAsync("v2");
        await Expect(devCard.Locator("[data-check='ci/tests']")).ToHaveAttributeAsync("data-check-state", "pending");
        await Expect(stgCard).ToContainTextAsync("Requires ci/tests");
        await Expect(stgCard.GetByRole(AriaRole.Button, new() { Name = $"Promote {stg}" })).ToHaveCountAsync(0);

        await devCard.GetByRole(AriaRole.Button, new() { Name = $"Promote {dev}" }).ClickAsync();
        var dialog = Page.GetByRole(AriaRole.Dialog, new() { Name = $"Promote {dev} v2?" });
        await Expect(dialog).ToBeVisibleAsync();
        var target = dialog.Locator($"[data-target='{stg}']");
        await Expect(target.Locator("[data-change=code]")).ToContainTextAsync("Now no code deployed");
        await Expect(target.Locator("[data-change=code]")).ToContainTextAsync("After a1b2c3d Ready for staging");
        Assert.Equal(["ONLY_DEV"], await target.Locator("[data-names=lacking] code").AllInnerTextsAsync());
        await Expect(target.Locator("[data-reason]")).ToHaveTextAsync($"{stg} requires ci/tests, which is pending on {dev} v2");
        await Expect(dialog).Not.ToContainTextAsync("secret-dev");
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Promote v2" })).ToHaveCountAsync(0);
        await ScreenshotAsync("refused");
        await dialog.GetByRole(AriaRole.Link, new() { Name = "Cancel" }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();

        using (var passed = await api.Http.PatchAsJsonAsync($"/apps/{dev}/releases/{release.Id}/statuses/{status.Id}", new { state = "success" }))
        {
            Assert.Equal(HttpStatusCode.OK, passed.StatusCode);
        }

        await devCard.GetByRole(AriaRole.Button, new() { Name = $"Promote {dev}" }).ClickAsync();
        await Expect(dialog.Locator("[data-reason]")).ToHaveCountAsync(0);
        await ScreenshotAsync("confirmation");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Promote v2" }).ClickAsync();

        await Expect(Page).ToHaveURLAsync(new Regex($"/ui/pipelines/{pipeline}\\?promoted="));
        await Expect(Page.Locator("#flash")).ToHaveTextAsync($"Promoted {dev} v2 to {stg} (v2).");
        await Expect(stgCard.Locator("[data-release]")).ToContainTextAsync($"v2");
        await Expect(stgCard.Locator("[data-release]")).ToContainTextAsync($"Promotion from {dev} v2");
        var made = await api.SettledAsync(stg, 2);
        Assert.Equal(("succeeded", $"Promotion from {dev} v2"), (made.Status, made.Description));
        await ScreenshotAsync();
    }
}
