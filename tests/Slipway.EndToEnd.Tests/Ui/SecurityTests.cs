using System.Net;
using System.Net.Http.Headers;
using Slipway.Server.Ui;

namespace Slipway.EndToEnd.Tests.Ui;

public sealed class SecurityTests(DashboardFixture fixture) : DashboardTest(fixture)
{
    [Fact]
    public async Task Forms_PostedWithoutAntiforgeryToken_AreRejected()
    {
        using var api = Api();
        var app = (await api.CreateAppAsync()).Name;
        await SignInAsync();
        await OpenAppAsync(app);
        var setConfig = $"/ui/apps/{app}?handler=SetConfig";

        var forged = await Page.APIRequest.PostAsync(setConfig, new() { Form = Form(("configName", "FORGED"), ("configValue", "1")), MaxRedirects = 0 });
        Assert.Equal(400, forged.Status);
        Assert.Empty(await api.ListReleasesAsync(app));

        var token = await Page.Locator($"#add-config input[name={UiSetup.AntiforgeryFieldName}]").InputValueAsync();
        var genuine = await Page.APIRequest.PostAsync(setConfig, new() { Form = Form(("configName", "REAL"), ("configValue", "1"), (UiSetup.AntiforgeryFieldName, token)), MaxRedirects = 0 });
        Assert.Equal(302, genuine.Status);
        Assert.Equal("Set REAL config vars", Assert.Single(await api.ListReleasesAsync(app)).Description);
    }

    [Fact]
    public async Task Api_WithOnlyTheDashboardCookie_StaysUnauthorized()
    {
        await SignInAsync();
        var session = (await Context.CookiesAsync()).Single(c => c.Name == UiAuthentication.CookieName);
        using var client = Server.Client(token: null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/apps");
        request.Headers.Add("Cookie", $"{session.Name}={session.Value}");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("/ui", session.Path);
    }

    [Fact]
    public async Task LiveUpdates_WithoutSession_AreRefused()
    {
        using var api = Api();
        var app = (await api.CreateAppAsync()).Name;
        using var client = Server.Client(token: null);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/ui/apps/{app}/events");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await Page.GotoAsync($"/ui/apps/{app}");
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
    }

    private IFormData Form(params (string Name, string Value)[] fields)
    {
        var form = Context.APIRequest.CreateFormData();
        foreach (var (name, value) in fields)
        {
            form.Set(name, value);
        }

        return form;
    }
}
