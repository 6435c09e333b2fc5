using System.Text.Json;

namespace Slipway.Cli.Tests.Commands;

/// <summary><c>aka hooks*</c> against a real server, delivering to a receiver the test runs.</summary>
public sealed class HooksCommandsTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task Hooks_CreateListDeliveriesDestroy_PrintExactLines()
    {
        await using var receiver = await HookReceiver.StartAsync();
        var app = (await fixture.Api.CreateAppAsync()).Name;
        var url = receiver.Url();
        var aka = fixture.Aka;

        var created = await aka.RunAsync("hooks:create", url, "-e", "config_change, release", "-s", "cli-secret", "-a", app);
        var id = JsonDocument.Parse((await aka.RunAsync("hooks", "-a", app, "--json")).Out).RootElement[0].GetProperty("id").GetString()!;

        Assert.Equal(
            ($"Creating hook {id} for {app} ... ✓\n" +
             $"URL:    {url}\n" +
             "Events: config_change, release\n" +
             "Active: true\n", 0),
            (created.Out, created.ExitCode));
        Assert.DoesNotContain("cli-secret", created.Out);

        await fixture.Api.SetConfigAsync(app, new Dictionary<string, string> { ["HELLO"] = "world" });
        Assert.True((await receiver.DeliveredAsync(url, "config_change")).SignedWith("cli-secret"));
        await receiver.DeliveredAsync(url, "release");
        await Poll.UntilAsync(async () => (await fixture.Api.HookResultsAsync(app, Guid.Parse(id))).Count == 2, "both attempts to be recorded");

        var list = await aka.RunAsync("hooks", "-a", app);
        var deliveries = await aka.RunAsync("hooks:deliveries", id, "-a", app);
        var results = await aka.RunAsync("hooks:results", id, "-a", app, "--json");

        var lines = list.Out.Split('\n');
        Assert.Equal($"=== {app} Hooks", lines[0]);
        Assert.Equal("", lines[1]);
        Assert.Equal($"Id:            {id}", lines[2]);
        Assert.Equal($"URL:           {url}", lines[3]);
        Assert.Equal("Events:        config_change, release", lines[4]);
        Assert.Equal("Active:        true", lines[5]);
        Assert.Matches(@"^Last delivery: 200 in \d+ ms, .+ \((release|config_change), delivered\)$", lines[6]);
        var rows = deliveries.Out.TrimEnd('\n').Split('\n');
        Assert.Equal(2, rows.Length);
        Assert.All(rows, row => Assert.Matches(@"^• \S.* ago +(release|config_change) +200 +\d+ ms +attempt 1 +delivered$", row));
        Assert.Equal(["config_change", "release"], JsonDocument.Parse(results.Out).RootElement.EnumerateArray().Select(r => r.GetProperty("action").GetString()).Order(StringComparer.Ordinal));
        Assert.DoesNotContain("cli-secret", list.Out + deliveries.Out + results.Out);

        var destroyed = await aka.RunAsync("hooks:destroy", id, "-a", app);
        var none = await aka.RunAsync("hooks", "-a", app);

        Assert.Equal(($"Destroying hook {id} of {app} ... ✓\n", 0), (destroyed.Out, destroyed.ExitCode));
        Assert.Equal($"{app} has no hooks\n", none.Out);
    }

    [Fact]
    public async Task HooksCreate_UnknownEventOrBadUrl_FailsWithTheReason()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;

        var unknown = await fixture.Aka.RunAsync("hooks:create", "https://example.com/hook", "-e", "release,deploys", "-s", "x", "-a", app);
        var scheme = await fixture.Aka.RunAsync("hooks:create", "ftp://example.com/hook", "-e", "release", "-s", "x", "-a", app);

        Assert.Equal((1, ""), (unknown.ExitCode, unknown.Out));
        Assert.Contains("Unknown event 'deploys'", unknown.Error);
        Assert.Equal((1, ""), (scheme.ExitCode, scheme.Out));
        Assert.Contains("url must be an absolute http or https URL", scheme.Error);
        Assert.Equal($"{app} has no hooks\n", (await fixture.Aka.RunAsync("hooks", "-a", app)).Out);
    }
}
