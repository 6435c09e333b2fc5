namespace Slipway.EndToEnd.Tests.Ui;

public sealed class ApiReferenceTests(DashboardFixture fixture) : DashboardTest(fixture)
{
    [Fact]
    public async Task ApiReference_FromNavigation_RendersOpenApiWithoutLeavingTheServer()
    {
        var elsewhere = new List<string>();
        await Context.RouteAsync("**/*", async route =>
        {
            if (new Uri(route.Request.Url).Host is "127.0.0.1")
            {
                await route.ContinueAsync();
            }
            else
            {
                elsewhere.Add(route.Request.Url);
                await route.AbortAsync();
            }
        });
        await SignInAsync();

        await Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "API reference" }).ClickAsync();

        await Expect(Page).ToHaveTitleAsync("Slipway API reference");
        // The first render waits for the server to make its OpenAPI document and for Scalar to read it,
        // which took over 15 s once beside the other test modules on two cores.
        await Expect(Page.GetByText("/users/{user}/tokens").First).ToBeVisibleAsync(new() { Timeout = FinalStateTimeout });

        // The reference renders the sections below the first few as they are reached.
        await Page.GetByRole(AriaRole.Link, new() { Name = "SlugsApi", Exact = true }).ClickAsync();
        await Expect(Page.GetByText("/apps/{app}/slugs").First).ToBeVisibleAsync();
        await Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        Assert.True(elsewhere.Count == 0, "The API reference reached beyond the server: " + string.Join(", ", elsewhere));
    }
}
