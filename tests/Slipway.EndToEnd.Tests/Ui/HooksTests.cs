namespace Slipway.EndToEnd.Tests.Ui;

public sealed class HooksTests(DashboardFixture fixture) : DashboardTest(fixture)
{
    [Fact]
    public async Task AppPage_ListsHooksWithoutPasswords_AndTheirLastDeliveries()
    {
        await using var receiver = await HookReceiver.StartAsync();
        using var api = Api();
        var app = (await api.CreateAppAsync()).Name;
        var url = receiver.Url();
        var withPassword = url.Replace("http://", "http://ci:hook-password@", StringComparison.Ordinal);
        var failing = receiver.Url("failing");
        receiver.Answer(failing, 410);
        var delivered = await api.CreateHookAsync(app, withPassword, "e2e-secret", "config_change", "release");
        var refused = await api.CreateHookAsync(app, failing, "e2e-secret", "config_change");
        await SlipwayApi.ReadAsync<Contracts.HookResponse>(await api.PostHookAsync(app, receiver.Url("off"), ["destroy"], "e2e-secret", active: false), System.Net.HttpStatusCode.Created);
        await api.SetConfigAsync(app, new Dictionary<string, string> { ["HOOKED"] = "yes" });
        await Poll.UntilAsync(async () => (await api.HookResultsAsync(app, delivered.Id)).Count == 2 && (await api.HookResultsAsync(app, refused.Id)).Count == 1, "the deliveries to be recorded");

        await SignInAsync();
        await OpenAppAsync(app);

        var hooks = Page.Locator("#hooks");
        await Expect(hooks.GetByRole(AriaRole.Heading, new() { Name = "Webhooks" })).ToBeVisibleAsync();
        await Expect(hooks.Locator("[data-hook]")).ToHaveCountAsync(3);
        var first = hooks.Locator($"[data-hook='{delivered.Id}']");
        await Expect(first.Locator(".hook-url")).ToHaveTextAsync(url.Replace("http://", "http://ci:***@", StringComparison.Ordinal));
        await Expect(first).ToContainTextAsync("config_change");
        await Expect(first.Locator("tbody tr")).ToHaveCountAsync(2);
        await Expect(first.Locator("tbody tr").First.Locator("[data-state]")).ToHaveTextAsync("200");
        await Expect(first.Locator("tbody")).ToContainTextAsync("delivered");
        var second = hooks.Locator($"[data-hook='{refused.Id}']");
        await Expect(second.Locator("tbody tr [data-state]")).ToHaveTextAsync("410");
        await Expect(second.Locator("tbody")).ToContainTextAsync("failed");
        var off = hooks.Locator("[data-hook]").Nth(2);
        await Expect(off.Locator(".hook-head [data-state]")).ToHaveTextAsync("Inactive");
        await Expect(off).ToContainTextAsync("No deliveries yet.");
        Assert.DoesNotContain("hook-password", await Page.ContentAsync());
        Assert.DoesNotContain("e2e-secret", await Page.ContentAsync());
    }
}
