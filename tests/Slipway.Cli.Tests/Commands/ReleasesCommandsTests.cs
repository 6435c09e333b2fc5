using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Slipway.Cli.Tests.Commands;

public sealed class ReleasesCommandsTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private const string FirstSha = "0123456789abcdef0123456789abcdef01234567";
    private const string SecondSha = "fedcba9876543210fedcba9876543210fedcba98";

    [Fact]
    public async Task Releases_ConfigThenSlugDeploys_PrintsExactLinesOldestFirst()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.SetConfigAsync(app, new Dictionary<string, string> { ["FOO"] = "1" });
        var (first, _) = await fixture.Api.DeploySlugAsync(app, commit: FirstSha, message: "Add the widget");
        var (second, latest) = await fixture.Api.DeploySlugAsync(app, commit: SecondSha, message: "Fix the widget\n\nIt was upside down.");
        var aka = fixture.Aka with { Clock = new FakeTimeProvider(latest.CreatedAt.AddMinutes(2)) };

        var result = await aka.RunAsync("releases", "-a", app);

        Assert.Equal(
            "• v1\t2 minutes ago\tSet FOO config vars\n" +
            $"• v2\t2 minutes ago\tDeploy {Short(first.Id)} - Add the widget - 0123456\n" +
            $"• v3\t2 minutes ago\tDeploy {Short(second.Id)} - Fix the widget - fedcba9\n",
            result.Out);
        Assert.Equal("", result.Error);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Releases_SlugWithoutCommitInfo_PrintsDescriptionAlone()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        var (slug, release) = await fixture.Api.DeploySlugAsync(app);
        var aka = fixture.Aka with { Clock = new FakeTimeProvider(release.CreatedAt.AddHours(3)) };

        var result = await aka.RunAsync("releases", "-a", app);

        Assert.Equal($"• v1\t3 hours ago\tDeploy {Short(slug.Id)}\n", result.Out);
    }

    [Fact]
    public async Task Releases_WithNum_PrintsTheNewestNOldestFirst()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        for (var i = 1; i <= 4; i++)
        {
            await fixture.Api.SetConfigAsync(app, new Dictionary<string, string> { [$"K{i}"] = "x" });
        }

        var latest = await fixture.Api.GetReleaseAsync(app, 4);
        var aka = fixture.Aka with { Clock = new FakeTimeProvider(latest.CreatedAt.AddDays(16)) };

        var result = await aka.RunAsync("releases", "-a", app, "-n", "2");

        Assert.Equal(
            "• v3\t16 days ago\tSet K3 config vars\n" +
            "• v4\t16 days ago\tSet K4 config vars\n",
            result.Out);
    }

    [Fact]
    public async Task Releases_Json_PrintsTheApiReleasesAscending()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.SetConfigAsync(app, new Dictionary<string, string> { ["A"] = "1" });
        await fixture.Api.SetConfigAsync(app, new Dictionary<string, string> { ["B"] = "2" });

        var result = await fixture.Aka.RunAsync("releases", "-a", app, "--json");

        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal([1, 2], json.RootElement.EnumerateArray().Select(r => r.GetProperty("version").GetInt32()));
        Assert.Equal(app, json.RootElement[0].GetProperty("app").GetProperty("name").GetString());
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Releases_OnTerminal_ColoursCurrentGreenAndFailedRed()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        var (first, _) = await fixture.Api.DeploySlugAsync(app);
        await fixture.Api.SetConfigAsync(app, new Dictionary<string, string> { ["FOO"] = "1" });
        var (failed, failedSlug, _) = await DeployFailingAsync(app);
        var v1 = await fixture.Api.GetReleaseAsync(app, 1);
        var v2 = await fixture.Api.GetReleaseAsync(app, 2);
        var v3 = await fixture.Api.GetReleaseAsync(app, failed);
        var now = v3.CreatedAt.AddSeconds(1);
        var aka = fixture.Aka with { Clock = new FakeTimeProvider(now), IsTerminal = true };

        var result = await aka.RunAsync("releases", "-a", app);

        Assert.Equal(
            $"• v1\t{Ago(v1, now)}\tDeploy {Short(first.Id)}\n" +
            $"\e[32m• v2\t{Ago(v2, now)}\tSet FOO config vars\e[0m\n" +
            $"\e[91m• v3\t1 second ago\tDeploy {Short(failedSlug)}\e[0m\n",
            result.Out);
    }

    [Fact]
    public async Task Releases_Piped_HasNoColour()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        var (slug, release) = await fixture.Api.DeploySlugAsync(app);
        var aka = fixture.Aka with { Clock = new FakeTimeProvider(release.CreatedAt.AddMinutes(1)) };

        var result = await aka.RunAsync("releases", "-a", app);

        Assert.Equal($"• v1\t1 minute ago\tDeploy {Short(slug.Id)}\n", result.Out);
    }

    [Fact]
    public async Task Releases_UnknownApp_FailsWithTheServerMessage()
    {
        var result = await fixture.Aka.RunAsync("releases", "-a", "nosuch-app");

        Assert.Equal("", result.Out);
        Assert.Equal("! App 'nosuch-app' not found.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task Releases_NumBelowOne_IsRefused()
    {
        var result = await fixture.Aka.RunAsync("releases", "-a", "any-app", "-n", "0");

        Assert.Equal("! --num must be at least 1.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task Rollback_ToV1_PrintsExactLineAndCreatesRollbackRelease()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        var (first, _) = await fixture.Api.DeploySlugAsync(app, commit: FirstSha, message: "Add the widget");
        await fixture.Api.DeploySlugAsync(app, commit: SecondSha, message: "Fix the widget");

        var result = await fixture.Aka.RunAsync("rollback", "v1", "-a", app);

        Assert.Equal($"Rolling back to v1 on {app}\n", result.Out);
        Assert.Equal("", result.Error);
        Assert.Equal(0, result.ExitCode);
        var made = await fixture.Api.GetReleaseAsync(app, 3);
        Assert.Equal(("Rollback to v1", 1, first.Id), (made.Description, made.RollbackOf!.Value, made.Slug!.Id));
    }

    [Fact]
    public async Task ConfigSetThenRollbackAtOnce_WhileTheNewReleaseIsPending_GoesBackToTheServingRelease()
    {
        using var gate = new ReleaseGate();
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.DeploySlugAsync(app, gate.ProcessTypes(SlipwayApi.StaticWeb));
        await fixture.Api.SetConfigAsync(app, new Dictionary<string, string> { ["GREETING"] = "one" });
        await fixture.Api.DeploySlugAsync(app, gate.ProcessTypes(SlipwayApi.StaticWeb));
        await fixture.Api.SetConfigAsync(app, new Dictionary<string, string> { ["GREETING"] = "two" });
        gate.Close();

        // config:set waits for its release, which the gate holds: the rollback comes from a second shell meanwhile.
        var setting = fixture.Aka.RunAsync("config:set", "X=1", "-a", app);
        await Poll.UntilAsync(async () => (await fixture.Api.ListReleasesAsync(app)).Count == 5, "the config release v5");
        var rollback = fixture.Aka.RunAsync("rollback", "v4", "-a", app);
        await Poll.UntilAsync(async () => (await fixture.Api.ListReleasesAsync(app)).Count == 6, "the rollback release v6");
        var whileMade = await fixture.Api.GetReleaseAsync(app, 5);
        gate.Open();
        var result = await rollback;
        var set = await setting;

        Assert.Equal($"Setting X and restarting {app} ... done, v5\n", set.Out);
        Assert.Equal("pending", whileMade.Status);
        Assert.Equal($"Rolling back to v4 on {app}\n", result.Out);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(new Dictionary<string, string> { ["GREETING"] = "two" }, await fixture.Api.GetConfigAsync(app));
        Assert.Equal(("Rollback to v4", "succeeded"), ((await fixture.Api.GetReleaseAsync(app, 6)).Description, (await fixture.Api.SettledAsync(app, 6)).Status));
    }

    [Fact]
    public async Task Rollback_WithoutVersion_GoesToThePreviousRelease()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.DeploySlugAsync(app, commit: FirstSha);
        await fixture.Api.DeploySlugAsync(app, commit: SecondSha);
        await fixture.Aka.RunAsync("rollback", "v1", "-a", app);

        var result = await fixture.Aka.RunAsync("rollback", "-a", app);

        Assert.Equal($"Rolling back to v2 on {app}\n", result.Out);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(4, (await fixture.Api.GetAppAsync(app)).CurrentVersion);
    }

    [Fact]
    public async Task ReleasesRollback_Alias_RollsBack()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.DeploySlugAsync(app);
        await fixture.Api.DeploySlugAsync(app);

        var result = await fixture.Aka.RunAsync("releases:rollback", "-a", app);

        Assert.Equal($"Rolling back to v1 on {app}\n", result.Out);
    }

    [Fact]
    public async Task Rollback_ToFailedRelease_IsRefused()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        var (slug, _) = await fixture.Api.DeploySlugAsync(app);
        await fixture.Api.DeploySlugAsync(app);
        var (failed, _, _) = await DeployFailingAsync(app);

        var result = await fixture.Aka.RunAsync("rollback", $"v{failed}", "-a", app);

        Assert.Equal("", result.Out);
        Assert.Equal($"! Cannot roll back to v3: v3 failed; a failed release cannot be rolled back to.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task Rollback_ToReleaseWithoutSlug_IsRefused()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.SetConfigAsync(app, new Dictionary<string, string> { ["FOO"] = "1" });
        await fixture.Api.DeploySlugAsync(app);

        var result = await fixture.Aka.RunAsync("rollback", "v1", "-a", app);

        Assert.Equal("! Cannot roll back to v1: v1 has no slug (no code had been deployed yet).\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task Rollback_ToMissingVersion_IsRefused()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.DeploySlugAsync(app);

        var result = await fixture.Aka.RunAsync("rollback", "v99", "-a", app);

        Assert.Equal($"! Release 'v99' not found for {app}.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task Rollback_WithNoEarlierRelease_IsRefused()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.DeploySlugAsync(app);

        var result = await fixture.Aka.RunAsync("rollback", "-a", app);

        Assert.Equal($"! {app} has no earlier release to roll back to.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task ReleasesInfo_WithoutVersion_ShowsTheCurrentRelease()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        var (slug, _) = await fixture.Api.DeploySlugAsync(app);
        await fixture.Api.SetConfigAsync(app, new Dictionary<string, string> { ["FOO"] = "1" });
        await fixture.Api.SetConfigAsync(app, new Dictionary<string, string> { ["BAR"] = "2" });
        await DeployFailingAsync(app);
        var current = await fixture.Api.GetReleaseAsync(app, 3);

        var result = await fixture.Aka.RunAsync("releases:info", "-a", app);

        Assert.Equal(
            $"=== {app} Release v3\n" +
            $"By:          {current.User.Email}\n" +
            "Change:      Set BAR config vars\n" +
            $"When:        {current.CreatedAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}\n" +
            "Status:      succeeded\n" +
            "Current:     yes\n" +
            $"Slug:        {slug.Id}\n" +
            "Config vars: BAR, FOO\n" +
            "Rollback:    v3 is the current release.\n",
            result.Out);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task ReleasesInfo_ReleaseWithStatuses_ListsThemAndTheirCombinedState()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        var release = await fixture.Api.SetConfigAsync(app, new Dictionary<string, string> { ["FOO"] = "1" });
        foreach (var status in new object[]
        {
            new { state = "success", context = "ci/circleci", name = "CircleCI", description = "All green", target_url = "https://ci.example.com/7" },
            new { state = "pending", context = "tests/smoke" },
        })
        {
            using var posted = await fixture.Api.Http.PostAsJsonAsync($"/apps/{app}/releases/{release.Id}/statuses", status);
            Assert.Equal(System.Net.HttpStatusCode.Created, posted.StatusCode);
        }

        var result = await fixture.Aka.RunAsync("releases:info", "-a", app);

        Assert.EndsWith(
            "\n\n=== v1 Statuses: pending\n" +
            "ci/circleci  success  CircleCI  All green  https://ci.example.com/7\n" +
            "tests/smoke  pending\n",
            result.Out);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task ReleasesInfo_FailedRelease_ShowsItsFailure()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        var (slug, _) = await fixture.Api.DeploySlugAsync(app);
        var (failed, _, reason) = await DeployFailingAsync(app);

        var result = await fixture.Aka.RunAsync("releases:info", $"v{failed}", "-a", app);

        Assert.Contains("\nStatus:      failed\n", result.Out);
        Assert.Contains("\nCurrent:     no\n", result.Out);
        Assert.Contains("\nConfig vars: none\n", result.Out);
        Assert.EndsWith($"\nRollback:    v2 failed; a failed release cannot be rolled back to.\nFailure:     {reason}\n", result.Out);
    }

    [Fact]
    public async Task ReleasesInfo_OlderRelease_IsEligibleForRollback()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.DeploySlugAsync(app);
        await fixture.Api.DeploySlugAsync(app);

        var result = await fixture.Aka.RunAsync("releases:info", "1", "-a", app);

        Assert.StartsWith($"=== {app} Release v1\n", result.Out);
        Assert.EndsWith("\nRollback:    eligible\n", result.Out);
    }

    [Fact]
    public async Task ReleasesInfo_OnlyFailedReleases_ShowsTheNewest()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await DeployFailingAsync(app);

        var result = await fixture.Aka.RunAsync("releases:info", "-a", app);

        Assert.StartsWith($"=== {app} Release v1\n", result.Out);
        Assert.Contains("\nStatus:      failed\n", result.Out);
    }

    [Fact]
    public async Task ReleasesInfo_AppWithoutReleases_SaysSo()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;

        var result = await fixture.Aka.RunAsync("releases:info", "-a", app);

        Assert.Equal($"! {app} has no releases yet.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    private static string Short(Guid id) => id.ToString("N")[..8];

    private static string Ago(Slipway.Contracts.ReleaseResponse release, DateTimeOffset now) => Slipway.Cli.Output.TimeText.Relative(release.CreatedAt, now);

    /// <summary>Deploys a slug whose web process exits at once: the runtime fails that release.</summary>
    private async Task<(int Version, Guid SlugId, string Reason)> DeployFailingAsync(string app)
    {
        var (slug, release) = await fixture.Api.DeploySlugAsync(app, new() { ["web"] = "exit 1" });
        Assert.Equal("failed", release.Status);
        return (release.Version, slug.Id, release.FailureReason!);
    }
}
