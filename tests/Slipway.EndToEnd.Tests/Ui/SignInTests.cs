using System.Text.RegularExpressions;
using Slipway.Server.Ui;

namespace Slipway.EndToEnd.Tests.Ui;

public sealed class SignInTests(DashboardFixture fixture) : DashboardTest(fixture)
{
    [Fact]
    public async Task SignIn_WithBadToken_ShowsErrorNextToTokenField()
    {
        await Page.GotoAsync("/ui/apps");
        await Expect(Page).ToHaveURLAsync(new Regex("/ui/sign-in"));

        var token = Page.GetByLabel("API token");
        await token.FillAsync("slw_not_a_real_token");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        var error = Page.Locator("#token-error");
        await Expect(error).ToContainTextAsync("This token is not valid");
        await Expect(token).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(token).ToHaveAttributeAsync("aria-describedby", new Regex(@"\btoken-error\b"));
        Assert.DoesNotContain(await Context.CookiesAsync(), c => c.Name == UiAuthentication.CookieName);
    }

    [Fact]
    public async Task SignIn_WithGoodToken_LandsOnAppsPageWithStrictHttpOnlyCookie()
    {
        await Page.GotoAsync("/ui/apps");
        await Page.GetByLabel("API token").FillAsync(SlipwayTestServer.AdminToken);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(Page).ToHaveURLAsync(new Regex("/ui/apps$"));
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Apps", Level = 1 })).ToBeVisibleAsync();
        await Expect(Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Apps" }))
            .ToHaveAttributeAsync("aria-current", "page");
        var session = (await Context.CookiesAsync()).Single(c => c.Name == UiAuthentication.CookieName);
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.DoesNotContain(SlipwayTestServer.AdminToken, session.Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignOut_FromTopBar_EndsTheSession()
    {
        await SignInAsync();

        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/ui/sign-in$"));
        await Page.GotoAsync("/ui/apps");

        await Expect(Page).ToHaveURLAsync(new Regex("/ui/sign-in\\?returnUrl=%2Fui%2Fapps$"));
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
    }
}
