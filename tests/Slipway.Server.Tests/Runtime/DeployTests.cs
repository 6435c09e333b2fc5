using System.Net;
using Slipway.Contracts;

namespace Slipway.Server.Tests.Runtime;

/// <summary>Every release restarts the app onto the right slug and config: deploys, config changes, rollbacks.</summary>
public sealed class DeployTests(RuntimeServerFixture fixture) : IClassFixture<RuntimeServerFixture>
{
    private static readonly Dictionary<string, string> Web = new() { ["web"] = TestSlug.Command() };

    [Fact]
    public async Task Deploy_WebSlug_AnswersPendingThenServesThroughRouter()
    {
        await using var app = await fixture.CreateAppAsync();
        var slug = await app.UploadSlugAsync("A", Web);

        var posted = await app.DeployAsync(slug);

        Assert.Equal("pending", posted.Status);
        var settled = await app.SettledAsync(posted.Version);
        Assert.Equal("succeeded", settled.Status);
        Assert.True(settled.Current);
        var (status, body) = await app.GetAsync();
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal($"v{posted.Version} slug=A greeting= dyno=web.1\n", body);
        var dyno = Assert.Single(await app.DynosAsync());
        Assert.Equal(("web.1", "up", posted.Version), (dyno.Name, dyno.State, dyno.ReleaseVersion));
        Assert.Single(AppProcesses.Groups(app.Key));
    }

    [Fact]
    public async Task ConfigChange_AfterDeploy_RestartsOntoNewConfigAndSameSlug()
    {
        await using var app = await fixture.CreateAppAsync();
        await app.DeploySucceededAsync(await app.UploadSlugAsync("A", Web));
        var before = AppProcesses.Groups(app.Key);

        var version = await app.SetConfigAsync(new() { ["GREETING"] = "hello" });

        Assert.Equal("succeeded", (await app.SettledAsync(version)).Status);
        Assert.Equal($"v{version} slug=A greeting=hello dyno=web.1\n", (await app.GetAsync()).Body);
        var after = AppProcesses.Groups(app.Key);
        Assert.Single(after);
        Assert.Empty(after.Intersect(before));
    }

    [Fact]
    public async Task Rollback_ToEarlierRelease_RestartsOntoItsSlugAndConfig()
    {
        await using var app = await fixture.CreateAppAsync();
        var first = await app.SetConfigAsync(new() { ["GREETING"] = "one" });
        await app.SettledAsync(first);
        var v2 = await app.DeploySucceededAsync(await app.UploadSlugAsync("A", Web));
        var v3 = await app.SetConfigAsync(new() { ["GREETING"] = "two" });
        await app.SettledAsync(v3);
        await app.DeploySucceededAsync(await app.UploadSlugAsync("B", Web));
        await app.ServesAsync($"v{v3 + 1} slug=B greeting=two");

        var rollback = await app.RollbackAsync(v2);

        Assert.Equal("pending", rollback.Status);
        Assert.Equal("succeeded", (await app.SettledAsync(rollback.Version)).Status);
        Assert.Equal($"v{rollback.Version} slug=A greeting=one dyno=web.1\n", (await app.GetAsync()).Body);
        Assert.Single(AppProcesses.Groups(app.Key));
    }

    [Fact]
    public async Task ConfigChange_BeforeAnyDeploy_SucceedsWithNothingToRun()
    {
        await using var app = await fixture.CreateAppAsync();

        var version = await app.SetConfigAsync(new() { ["GREETING"] = "early" });

        Assert.Equal("succeeded", (await app.SettledAsync(version)).Status);
        Assert.Empty(await app.DynosAsync());
        var (status, body) = await app.GetAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("No web processes running", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_WhileAnotherAppBoots_GoesLiveWithoutWaitingForIt()
    {
        await using var slow = await fixture.CreateAppAsync();
        await using var quick = await fixture.CreateAppAsync();
        var patched = await slow.PatchFormationAsync(new FormationPatchRequest(null, BootTimeout: 10));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var booting = await slow.DeployAsync(await slow.UploadSlugAsync("S", new() { ["web"] = TestSlug.Command("nobind") }));
        await Poll.UntilAsync(async () => (await slow.LogsAsync()).Contains($"Deploying v{booting.Version}", StringComparison.Ordinal), "the slow app's deploy to start");

        var version = await quick.DeploySucceededAsync(await quick.UploadSlugAsync("Q", Web));

        Assert.Equal($"v{version} slug=Q greeting= dyno=web.1\n", (await quick.GetAsync()).Body);
        Assert.Equal("pending", (await slow.ReleaseAsync(booting.Version)).Status);
        var settled = await slow.SettledAsync(booting.Version);
        Assert.Equal("failed", settled.Status);
        Assert.Contains("boot timeout of 10 s", settled.FailureReason, StringComparison.Ordinal);
    }
}
