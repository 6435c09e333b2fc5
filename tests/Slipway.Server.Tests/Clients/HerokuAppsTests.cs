using System.Net;
using System.Text.RegularExpressions;
using Slipway.TestSupport;

namespace Slipway.Server.Tests.Clients;

/// <summary>
/// The real Heroku CLI (npm <c>heroku</c> 11.10.0) against a real Slipway server, for apps, config,
/// processes, logs and add-ons: what a Heroku user types works (exit code 0) and prints what they
/// expect to read. The CLI prints progress (<c>... done</c>) on stderr and results on stdout.
/// </summary>
public sealed partial class HerokuAppsTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>, IDisposable
{
    private readonly HerokuCli _heroku = new(fixture.Server.BaseAddress, SlipwayTestServer.AdminToken);
    private readonly SlipwayApi _api = fixture.Api;

    [Fact]
    public async Task Apps_ListsOwnAppsUnderTheUsersEmailAndOthersAsCollaborated()
    {
        var own = await _api.CreateAppAsync();
        var email = SlipwayApi.Unique("dev") + "@example.com";
        using var dev = new SlipwayApi(fixture.Server.Client(await _api.CreateUserAsync(email)));
        var space = await _api.CreateSpaceAsync();
        await _api.AddSpaceMemberAsync(space.Name, email);
        var theirs = await dev.CreateAppAsync(space.Name);

        var run = await _heroku.RunAsync("apps");

        Assert.True(run.ExitCode == 0, run.Error);
        var lines = Lines(run.Out);
        Assert.Equal("=== admin@slipway.local Apps", lines[0]);
        var collaborated = lines.IndexOf("Collaborated Apps");
        Assert.True(collaborated > 0, run.Out);
        Assert.Contains($"{own.Name} (local)", lines[..collaborated]);
        Assert.Contains(lines[collaborated..], l => Regex.IsMatch(l, $@"^{theirs.Name} \(local\)\s+{Regex.Escape(email)}$"));
    }

    [Fact]
    public async Task AppsInfo_ShowsOwnerRegionStackGitUrlAndDynos()
    {
        var app = await _api.CreateAppAsync();
        var (slug, _) = await _api.DeploySlugAsync(app.Name);

        var run = await _heroku.RunAsync("apps:info", "-a", app.Name);

        Assert.True(run.ExitCode == 0, run.Error);
        var fields = Fields(run.Out);
        Assert.Equal($"=== {app.Name}", Lines(run.Out)[0]);
        Assert.Equal(app.Space.Name, fields["Space"]);
        Assert.Equal($"{fixture.Server.BaseAddress.GetLeftPart(UriPartial.Authority)}/git/{app.Name}.git", fields["Git URL"]);
        Assert.Equal(app.WebUrl, fields["Web URL"]);
        Assert.Equal("admin@slipway.local", fields["Owner"]);
        Assert.Equal("local", fields["Region"]);
        Assert.Equal("slipway-1", fields["Stack"]);
        Assert.Equal("web: 1", fields["Dynos"]);
        Assert.Equal($"{slug.Size} B", fields["Slug Size"]);
        Assert.Equal("false", fields["Auto Cert Mgmt"]);
        Assert.DoesNotContain("Create Status", fields.Keys);
    }

    [Fact]
    public async Task Config_SetAndUnset_ShowTheVarsAndTheReleaseEachMade()
    {
        var app = (await _api.CreateAppAsync()).Name;
        await _api.SetConfigAsync(app, new { GREETING = "hello" });

        var shown = await _heroku.RunAsync("config", "-a", app);
        var set = await _heroku.RunAsync("config:set", "FOO=bar baz", "-a", app);
        var afterSet = await _api.GetConfigAsync(app);
        var unset = await _heroku.RunAsync("config:unset", "FOO", "-a", app);

        Assert.True(shown.ExitCode == 0, shown.Error);
        Assert.Equal([$"=== {app} Config Vars", "GREETING: hello"], Lines(shown.Out));
        Assert.True(set.ExitCode == 0, set.Error);
        Assert.Equal(["FOO: bar baz"], Lines(set.Out));
        Assert.Contains($"Setting FOO and restarting {app}... done, v2", Lines(set.Error));
        Assert.Equal("bar baz", afterSet["FOO"]);
        Assert.True(unset.ExitCode == 0, unset.Error);
        Assert.Contains($"Unsetting FOO and restarting {app}... done, v3", Lines(unset.Error));
        Assert.Equal(["GREETING"], (await _api.GetConfigAsync(app)).Keys);
    }

    [Fact]
    public async Task Ps_ShowsTheFormationAndEachDynoWithItsState()
    {
        var app = (await _api.CreateAppAsync()).Name;
        await _api.DeploySlugAsync(app);
        await _api.WaitForDynosAsync(app, d => d.Count == 1 && d[0].State == "up");

        var run = await _heroku.RunAsync("ps", "-a", app);

        Assert.True(run.ExitCode == 0, run.Error);
        var lines = Lines(run.Out);
        Assert.Equal($"=== web (standard): {SlipwayApi.StaticWeb} (1)", lines[0]);
        Assert.Matches(UpSince(), lines[1]);
        Assert.Equal(2, lines.Count);
    }

    [Fact]
    public async Task PsScale_ScalesWebAndSaysTheNewQuantity()
    {
        var app = (await _api.CreateAppAsync()).Name;
        await _api.DeploySlugAsync(app);

        var run = await _heroku.RunAsync("ps:scale", "web=2", "-a", app);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("Scaling dynos... done, now running web at 2:standard", Lines(run.Error));
        Assert.Equal(2, (await _api.GetFormationAsync(app)).Single(f => f.Type == "web").Quantity);
        await _api.WaitForDynosAsync(app, d => d.Count(x => x.State == "up") == 2);
    }

    [Fact]
    public async Task PsRestart_AllDynosOrAType_StartsThemAgain()
    {
        var app = (await _api.CreateAppAsync()).Name;
        await _api.DeploySlugAsync(app);
        var first = (await _api.WaitForDynosAsync(app, d => d.Count == 1 && d[0].State == "up"))[0];

        var all = await _heroku.RunAsync("ps:restart", "-a", app);
        var restarted = (await _api.WaitForDynosAsync(app, d => d.Count == 1 && d[0].State == "up" && d[0].CreatedAt > first.CreatedAt))[0];
        var web = await _heroku.RunAsync("ps:restart", "--process-type", "web", "-a", app);

        Assert.True(all.ExitCode == 0, all.Error);
        Assert.Contains($"Restarting all dynos on {app}... done", Lines(all.Error));
        Assert.True(web.ExitCode == 0, web.Error);
        Assert.Contains($"Restarting all web dynos on {app}... done", Lines(web.Error));
        await _api.WaitForDynosAsync(app, d => d.Count == 1 && d[0].State == "up" && d[0].CreatedAt > restarted.CreatedAt);
    }

    [Fact]
    public async Task Logs_PrintsTheLastLinesInHerokusFormatAndEnds()
    {
        var app = (await _api.CreateAppAsync()).Name;
        await _api.DeploySlugAsync(app);
        await Poll.UntilAsync(async () => (await _api.LogsAsync(app)).Contains("slipway[web.1]: State changed from starting to up", StringComparison.Ordinal), "web.1 is up in the log");

        var run = await _heroku.RunAsync("logs", "-n", "2", "-a", app);

        Assert.True(run.ExitCode == 0, run.Error);
        var lines = Lines(run.Out);
        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.Matches(LogLine(), l));
        Assert.Contains(lines, l => l.EndsWith(" slipway[web.1]: State changed from starting to up", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Addons_ListsTheAddonWithItsAttachmentPlanPriceAndState()
    {
        var app = (await _api.CreateAppAsync()).Name;
        await _api.CreateAddonAsync(app, "filestore", "files");

        var run = await _heroku.RunAsync("addons", "-a", app);

        Assert.True(run.ExitCode == 0, run.Error);
        var rows = Lines(run.Out).Select(l => Regex.Replace(l, @"\s+", " ")).ToList();
        Assert.Equal("Add-on Plan Price Max Price State", rows[0]);
        Assert.Equal("filestore (files) standard free free created", rows[2]);
        Assert.Equal("└─ as files", rows[3]);
        Assert.Equal($"The table above shows add-ons and the attachments to the current app ({app}) or other apps.", rows[4]);
        await _api.DeleteAddonAsync(app, "files");
    }

    [Fact]
    public async Task AppsDestroy_WithConfirm_DestroysTheApp()
    {
        var app = (await _api.CreateAppAsync()).Name;
        await _api.DeploySlugAsync(app);

        var run = await _heroku.RunAsync("apps:destroy", "--confirm", app, "-a", app);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains($"Destroying {app} (including all add-ons)... done", Lines(run.Error));
        Assert.Equal(HttpStatusCode.NotFound, (await _api.Http.GetAsync($"/apps/{app}")).StatusCode);
    }

    public void Dispose() => _heroku.Dispose();

    /// <summary>The non-empty lines, trimmed at the end.</summary>
    private static List<string> Lines(string text) =>
        [.. text.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Trim().Length > 0).Select(l => l.TrimStart())];

    /// <summary>A <c>Key: value</c> listing (Heroku's styled object) as a map.</summary>
    private static Dictionary<string, string> Fields(string text) =>
        Lines(text).Where(l => l.Contains(": ", StringComparison.Ordinal)).ToDictionary(l => l[..l.IndexOf(": ", StringComparison.Ordinal)], l => l[(l.IndexOf(": ", StringComparison.Ordinal) + 2)..].Trim());

    [GeneratedRegex(@"^web\.1: up \d{4}/\d\d/\d\d \d\d:\d\d:\d\d \+0000 \(~ \d+[smh] ago\)$")]
    private static partial Regex UpSince();

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 [a-z]+\[[a-z0-9.]+\]: .*$")]
    private static partial Regex LogLine();
}
