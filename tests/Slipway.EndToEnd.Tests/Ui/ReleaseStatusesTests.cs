using System.Net;
using System.Net.Http.Json;

namespace Slipway.EndToEnd.Tests.Ui;

public sealed class ReleaseStatusesTests(DashboardFixture fixture) : DashboardTest(fixture)
{
    [Fact]
    public async Task ReleaseRow_ShowsItsStatuses_AndOnesPostedLaterWithoutReload()
    {
        using var api = Api();
        var app = (await api.CreateAppAsync()).Name;
        var release = await api.SetConfigAsync(app, new Dictionary<string, string?> { ["FOO"] = "1" });
        await PostStatusAsync(api, app, release.Id, new { state = "success", context = "ci/circleci", name = "CircleCI", description = "All green", target_url = "https://ci.example.com/7" });

        await SignInAsync();
        await OpenAppAsync(app);

        var ci = ReleaseRow(1).Locator("[data-check='ci/circleci']");
        await Expect(ci).ToHaveAttributeAsync("data-check-state", "success");
        await Expect(ci).ToContainTextAsync("Success");
        await Expect(ci.GetByRole(AriaRole.Link, new() { Name = "CircleCI" })).ToHaveAttributeAsync("href", "https://ci.example.com/7");
        await Expect(ci).ToHaveAttributeAsync("title", "All green");

        await PostStatusAsync(api, app, release.Id, new { state = "failure", context = "security/scan", description = "2 critical findings" });

        var scan = ReleaseRow(1).Locator("[data-check='security/scan']");
        await Expect(scan).ToHaveAttributeAsync("data-check-state", "failure");
        await Expect(scan).ToContainTextAsync("Failure security/scan");
        await ScreenshotAsync();
    }

    private static async Task PostStatusAsync(SlipwayApi api, string app, Guid release, object status)
    {
        using var posted = await api.Http.PostAsJsonAsync($"/apps/{app}/releases/{release}/statuses", status);
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
    }
}
