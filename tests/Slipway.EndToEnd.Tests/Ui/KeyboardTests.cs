namespace Slipway.EndToEnd.Tests.Ui;

public sealed class KeyboardTests(DashboardFixture fixture) : DashboardTest(fixture)
{
    [Fact]
    public async Task Keyboard_TabToRollback_OpensDialogAndEscapeReturnsFocus()
    {
        using var api = Api();
        var app = (await api.CreateAppAsync()).Name;
        await api.DeployAsync(app, (await api.CreateSlugAsync(app, commit: "abcdef1234567")).Id);
        await api.SetConfigAsync(app, new Dictionary<string, string?> { ["A"] = "1" });
        await SignInAsync();
        await OpenAppAsync(app);
        await ExpectCurrentAsync(2);

        await Page.Keyboard.PressAsync("Tab");
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" })).ToBeFocusedAsync();

        var rollback = ReleaseRow(1).GetByRole(AriaRole.Button, new() { Name = "Rollback to v1" });
        for (var presses = 0; presses < 40 && !await rollback.EvaluateAsync<bool>("b => b === document.activeElement"); presses++)
        {
            await Page.Keyboard.PressAsync("Tab");
        }

        await Expect(rollback).ToBeFocusedAsync();
        Assert.NotEqual("none", await rollback.EvaluateAsync<string>("b => getComputedStyle(b).outlineStyle"));
        await ScreenshotAsync("focus");

        await Page.Keyboard.PressAsync("Enter");
        var dialog = Page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Rollback to v1" })).ToBeFocusedAsync();

        await Page.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(rollback).ToBeFocusedAsync();
        Assert.Equal(2, (await api.ListReleasesAsync(app)).Count);
    }
}
