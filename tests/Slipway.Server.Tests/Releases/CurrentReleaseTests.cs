using System.Net;
using Slipway.Contracts;
using Slipway.Server.Tests.Runtime;

namespace Slipway.Server.Tests.Releases;

/// <summary>
/// <em>Current</em> is the newest release that has not failed, and a rollback is measured against
/// it. A rollback without a version lands on the same release whether it comes as Slipway's
/// <c>"previous"</c> or as Heroku's CLI picks it (the second release marked eligible on a page of
/// the newest first), in every shape of history.
/// </summary>
public sealed class CurrentReleaseTests(GatedRuntimeServerFixture fixture) : IClassFixture<GatedRuntimeServerFixture>, IDisposable
{
    private readonly ReleaseGate _gate = new();

    /// <summary><see cref="TestSlug"/>'s web process and the gate's release phase.</summary>
    private Dictionary<string, string> Gated => _gate.ProcessTypes(TestSlug.Command());

    [Fact]
    public async Task AllSucceeded_BothPickTheNewestReleaseWithCodeBeforeTheCurrent()
    {
        await using var app = await fixture.CreateAppAsync();
        await app.DeploySucceededAsync(await app.UploadSlugAsync("A", Gated));
        await app.SettledAsync(await app.SetConfigAsync(new() { ["GREETING"] = "hi" }));
        await app.DeploySucceededAsync(await app.UploadSlugAsync("B", Gated));

        var releases = await fixture.Api.ListReleasesAsync(app.Key);
        Assert.Equal([false, false, true], releases.Select(r => r.Current));
        Assert.Equal(2, await HerokuPickAsync(app.Key));

        var rollback = await RollbackPreviousAsync(app);
        Assert.Equal(2, rollback.RollbackOf);
        await app.ServesAsync("v4 slug=A greeting=hi");
    }

    [Fact]
    public async Task NewestFailed_TheReleaseBeforeItIsCurrent_AndBothPickTheOneBeforeThat()
    {
        await using var app = await fixture.CreateAppAsync();
        await app.DeploySucceededAsync(await app.UploadSlugAsync("A", Gated));
        await app.DeploySucceededAsync(await app.UploadSlugAsync("B", Gated));
        var failing = await app.DeployAsync(await app.UploadSlugAsync("C", new() { ["web"] = TestSlug.Command("exit") }));
        Assert.Equal("failed", (await app.SettledAsync(failing.Version)).Status);

        var releases = await fixture.Api.ListReleasesAsync(app.Key);
        Assert.Equal([false, true, false], releases.Select(r => r.Current));
        Assert.Equal([true, true, false], releases.Select(r => r.EligibleForRollback));
        Assert.Null(releases[1].IneligibleReason);
        Assert.Equal(1, await HerokuPickAsync(app.Key));

        var rollback = await RollbackPreviousAsync(app);
        Assert.Equal(1, rollback.RollbackOf);
        await app.ServesAsync("v4 slug=A");
    }

    [Fact]
    public async Task ConfigOnly_NeitherFindsAnythingToRollBackTo()
    {
        await using var app = await fixture.CreateAppAsync();
        await app.SettledAsync(await app.SetConfigAsync(new() { ["A"] = "1" }));
        await app.SettledAsync(await app.SetConfigAsync(new() { ["A"] = "2" }));

        var releases = await fixture.Api.ListReleasesAsync(app.Key);
        Assert.Equal([false, true], releases.Select(r => r.Current));
        Assert.Equal([false, true], releases.Select(r => r.EligibleForRollback));
        Assert.Null(await HerokuPickAsync(app.Key));

        var refused = await fixture.Api.PostReleaseAsync(app.Key, new { release = "previous" });
        Assert.Contains("no earlier release", await SlipwayApi.ProblemAsync(refused, HttpStatusCode.UnprocessableEntity));
        Assert.Equal(2, (await fixture.Api.ListReleasesAsync(app.Key)).Count);
    }

    [Fact]
    public async Task NewestPending_IsCurrent_AndBothPickTheServingRelease_WhichUndoesThePendingChange()
    {
        await using var app = await fixture.CreateAppAsync();
        await app.DeploySucceededAsync(await app.UploadSlugAsync("A", Gated));
        await app.DeploySucceededAsync(await app.UploadSlugAsync("B", Gated));
        _gate.Close();
        var pending = await app.SetConfigAsync(new() { ["GREETING"] = "new" });

        var releases = await fixture.Api.ListReleasesAsync(app.Key);
        Assert.Equal("pending", releases[^1].Status);
        Assert.Equal([false, false, true], releases.Select(r => r.Current));
        Assert.True(releases[^1].EligibleForRollback);
        Assert.Equal(2, await HerokuPickAsync(app.Key));
        var toPending = await fixture.Api.PostReleaseAsync(app.Key, new { release = $"v{pending}" });
        Assert.Contains($"v{pending} is still pending", await SlipwayApi.ProblemAsync(toPending, HttpStatusCode.UnprocessableEntity));

        var rollback = await fixture.Api.CreateReleaseAsync(app.Key, new { release = "previous" });

        Assert.Equal((4, 2), (rollback.Version, rollback.RollbackOf));
        Assert.Equal("pending", (await app.ReleaseAsync(pending)).Status);
        _gate.Open();
        Assert.Equal("succeeded", (await app.SettledAsync(rollback.Version)).Status);
        await app.ServesAsync("v4 slug=B greeting= dyno");
    }

    [Fact]
    public async Task RollbackToTheServingRelease_WhileANewerIsPending_IsAllowed()
    {
        await using var app = await fixture.CreateAppAsync();
        var serving = await app.DeploySucceededAsync(await app.UploadSlugAsync("A", Gated));
        _gate.Close();
        var pending = await app.SetConfigAsync(new() { ["X"] = "1" });

        var rollback = await app.RollbackAsync(serving);

        Assert.Equal((pending + 1, serving), (rollback.Version, rollback.RollbackOf));
        Assert.Equal("Rollback to v1", rollback.Description);
        _gate.Open();
        Assert.Equal("succeeded", (await app.SettledAsync(rollback.Version)).Status);
        Assert.Empty(await fixture.Api.GetReleaseConfigAsync(app.Key, rollback.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        await app.ServesAsync($"v{rollback.Version} slug=A greeting= dyno");
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>The version Heroku's CLI rolls back to without one: the second release marked eligible among the ten newest, newest first.</summary>
    private async Task<int?> HerokuPickAsync(string app)
    {
        using var response = await fixture.Api.GetReleasesAsync(app, "version ..; max=10, order=desc");
        var page = await SlipwayApi.ReadAsync<List<ReleaseResponse>>(response, response.StatusCode);
        return page.Where(r => r.EligibleForRollback).Skip(1).FirstOrDefault()?.Version;
    }

    private async Task<ReleaseResponse> RollbackPreviousAsync(RuntimeApp app)
    {
        var rollback = await fixture.Api.RollbackAsync(app.Key, "previous");
        Assert.Equal("succeeded", rollback.Status);
        return rollback;
    }
}
