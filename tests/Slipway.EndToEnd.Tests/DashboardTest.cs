using System.Text.RegularExpressions;

namespace Slipway.EndToEnd.Tests;

/// <summary>
/// A browser test of the dashboard: a fresh browser context (no cookies) per test on the
/// class's server and browser, and a screenshot of the page as the test left it, saved as
/// <c>TestResults/screenshots/&lt;test&gt;.png</c> next to the test binary, pass or fail.
/// </summary>
public abstract class DashboardTest(DashboardFixture fixture) : IClassFixture<DashboardFixture>, IAsyncLifetime
{
    /// <summary>How long a release may take to reach its final state once a runtime really deploys it.</summary>
    protected const float FinalStateTimeout = 90_000;

    private readonly List<string> _scriptErrors = [];
    private IBrowserContext? _context;
    private IPage? _page;

    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    protected SlipwayTestServer Server => fixture.Server;

    protected IPage Page => _page ?? throw new InvalidOperationException("The page is not open.");

    protected IBrowserContext Context => _context ?? throw new InvalidOperationException("The browser context is not open.");

    protected virtual ViewportSize Viewport { get; } = new() { Width = 1280, Height = 900 };

    public async ValueTask InitializeAsync()
    {
        SetDefaultExpectTimeout(15_000);
        _context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Server.BaseAddress.ToString(),
            ViewportSize = Viewport,
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        _context.SetDefaultTimeout(30_000);
        _page = await _context.NewPageAsync();
        _page.PageError += (_, error) => _scriptErrors.Add($"uncaught: {error}");
        _page.Console += (_, message) =>
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"console.{message.Type}: {message.Text}");
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                _scriptErrors.Add($"CSP: {message.Text}");
            }
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (_page is not null && !_page.IsClosed)
        {
            await ScreenshotAsync();
        }

        if (_context is not null)
        {
            await _context.CloseAsync();
        }

        GC.SuppressFinalize(this);

        // Every page must run its script cleanly: an uncaught error or a blocked resource is a bug even when the test's steps passed.
        Assert.True(_scriptErrors.Count == 0, "The page reported script errors:\n" + string.Join('\n', _scriptErrors));
    }

    /// <summary>Saves the page as <c>&lt;test&gt;[-suffix].png</c>.</summary>
    protected async Task ScreenshotAsync(string? suffix = null)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        var name = TestContext.Current.TestMethod?.MethodName ?? GetType().Name;
        var path = Path.Combine(ScreenshotFolder, suffix is null ? $"{name}.png" : $"{name}-{suffix}.png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
    }

    /// <summary>Signs in through the form, as a person would, and waits for the apps page.</summary>
    protected async Task SignInAsync(string token = SlipwayTestServer.AdminToken)
    {
        await Page.GotoAsync("/ui/sign-in");
        await Page.GetByLabel("API token").FillAsync(token);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/ui/apps$"));
    }

    protected async Task OpenAppAsync(string appKey)
    {
        await Page.GotoAsync($"/ui/apps/{appKey}");
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = appKey, Level = 1 })).ToBeVisibleAsync();
    }

    /// <summary>The row of release vN in the release history.</summary>
    protected ILocator ReleaseRow(int version) => Page.Locator($"#releases tr#v{version}");

    /// <summary>Waits until vN shows as the current release, however long a real deploy takes.</summary>
    protected Task ExpectCurrentAsync(int version) =>
        Expect(ReleaseRow(version).Locator("[data-status]")).ToHaveTextAsync("Current", new() { Timeout = FinalStateTimeout });

    protected SlipwayApi Api() => Server.Api();

    protected static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];
}
