namespace Slipway.EndToEnd.Tests;

/// <summary>
/// One real Slipway server on 127.0.0.1 and one headless Debian Chromium per test class.
/// Playwright drives the browser that is installed; it never downloads one.
/// </summary>
public sealed class DashboardFixture : SlipwayServerFixture
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ];

    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser has not started.");

    protected override async Task StartDependenciesAsync()
    {
        var playwright = Own(new PlaywrightDriver(await Playwright.CreateAsync()));
        _browser = Own(await playwright.Driver.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        }));
    }

    /// <summary>Playwright's driver process, stopped (after the browser) with the fixture.</summary>
    private sealed class PlaywrightDriver(IPlaywright driver) : IAsyncDisposable
    {
        public IPlaywright Driver => driver;

        public ValueTask DisposeAsync()
        {
            driver.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
