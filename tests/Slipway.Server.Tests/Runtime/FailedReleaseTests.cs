using System.Net;
using System.Net.Http.Json;
using Slipway.Contracts;

namespace Slipway.Server.Tests.Runtime;

/// <summary>A release that cannot run is failed with its reason, and the previous one keeps serving untouched.</summary>
public sealed class FailedReleaseTests(RuntimeServerFixture fixture) : IClassFixture<RuntimeServerFixture>
{
    [Fact]
    public async Task Deploy_AppThatExitsAtOnce_IsFailedAndPreviousKeepsServing()
    {
        await using var app = await fixture.CreateAppAsync();
        var good = await app.DeploySucceededAsync(await app.UploadSlugAsync("A", new() { ["web"] = TestSlug.Command() }));
        var serving = AppProcesses.Groups(app.Key);

        var bad = await app.DeployAsync(await app.UploadSlugAsync("B", new() { ["web"] = TestSlug.Command("exit") }));

        var settled = await app.SettledAsync(bad.Version);
        Assert.Equal("failed", settled.Status);
        Assert.Contains("web.1 exited with status 3", settled.FailureReason, StringComparison.Ordinal);
        Assert.Equal("exiting at once\n", settled.FailureLog);
        Assert.False(settled.Current);
        Assert.Equal($"v{good} slug=A greeting= dyno=web.1\n", (await app.GetAsync()).Body);
        Assert.True((await app.ReleaseAsync(good)).Current);
        Assert.Equal(serving, AppProcesses.Groups(app.Key));
        Assert.All(await app.DynosAsync(), d => Assert.Equal(good, d.ReleaseVersion));
    }

    [Fact]
    public async Task Deploy_AppThatNeverBindsItsPort_IsFailedAfterTheAppsBootTimeout()
    {
        await using var app = await fixture.CreateAppAsync();
        var good = await app.DeploySucceededAsync(await app.UploadSlugAsync("A", new() { ["web"] = TestSlug.Command() }));
        var patched = await app.PatchFormationAsync(new FormationPatchRequest(null, BootTimeout: 1));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);

        var bad = await app.DeployAsync(await app.UploadSlugAsync("B", new() { ["web"] = TestSlug.Command("nobind") }));

        var settled = await app.SettledAsync(bad.Version);
        Assert.Equal("failed", settled.Status);
        Assert.Contains("did not accept connections on its PORT", settled.FailureReason, StringComparison.Ordinal);
        Assert.Contains("boot timeout of 1 s", settled.FailureReason, StringComparison.Ordinal);
        Assert.Equal($"v{good} slug=A greeting= dyno=web.1\n", (await app.GetAsync()).Body);
        Assert.Single(AppProcesses.Groups(app.Key));
    }

    [Fact]
    public async Task Deploy_UnhealthyHealthCheck_IsFailedWithTheLastAnswer()
    {
        await using var app = await fixture.CreateAppAsync();
        var good = await app.DeploySucceededAsync(await app.UploadSlugAsync("A", new() { ["web"] = TestSlug.Command() }));
        var patched = await app.PatchFormationAsync(new FormationPatchRequest([new FormationUpdate("web", null, "/unhealthy")], BootTimeout: 2));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);

        var version = await app.SetConfigAsync(new() { ["GREETING"] = "unhealthy" });

        var settled = await app.SettledAsync(version);
        Assert.Equal("failed", settled.Status);
        Assert.Contains("did not answer GET /unhealthy with 2xx or 3xx within the boot timeout of 2 s (last answer: 500)", settled.FailureReason, StringComparison.Ordinal);
        Assert.Equal($"v{good} slug=A greeting= dyno=web.1\n", (await app.GetAsync()).Body);
    }

    [Fact]
    public async Task Deploy_ReleasePhaseFails_IsFailedWithOutputKeptAndNothingStarted()
    {
        await using var app = await fixture.CreateAppAsync();
        var good = await app.DeploySucceededAsync(await app.UploadSlugAsync("A", new() { ["web"] = TestSlug.Command() }));
        var serving = AppProcesses.Groups(app.Key);

        var bad = await app.DeployAsync(await app.UploadSlugAsync("B", new()
        {
            ["web"] = TestSlug.Command(),
            ["release"] = TestSlug.Command("release-fail"),
        }));

        var settled = await app.SettledAsync(bad.Version);
        Assert.Equal("failed", settled.Status);
        Assert.Equal("The release phase exited with status 7.", settled.FailureReason);
        Assert.Equal($"migration failed for v{bad.Version}\n", settled.FailureLog);
        var output = await SlipwayApi.ReadAsync<ReleaseOutputResponse>(
            await app.Api.GetAsync($"/apps/{app.Key}/releases/v{bad.Version}/output", TestContext.Current.CancellationToken), HttpStatusCode.OK);
        Assert.True(output.ReleasePhase);
        Assert.Equal(7, output.ExitCode);
        Assert.Equal($"migration failed for v{bad.Version}\n", output.Output);
        Assert.Equal($"v{good} slug=A greeting= dyno=web.1\n", (await app.GetAsync()).Body);
        Assert.Equal(serving, AppProcesses.Groups(app.Key));
    }

    [Fact]
    public async Task Deploy_ReleasePhaseSucceeds_RunsWithNewConfigBeforeTheProcessesStart()
    {
        await using var app = await fixture.CreateAppAsync();
        await app.SettledAsync(await app.SetConfigAsync(new() { ["GREETING"] = "hi" }));

        var version = await app.DeploySucceededAsync(await app.UploadSlugAsync("A", new()
        {
            ["web"] = TestSlug.Command(),
            ["release"] = TestSlug.Command("release-ok"),
        }));

        var output = await SlipwayApi.ReadAsync<ReleaseOutputResponse>(
            await app.Api.GetAsync($"/apps/{app.Key}/releases/{version}/output", TestContext.Current.CancellationToken), HttpStatusCode.OK);
        Assert.Equal((true, 0, $"migrated v{version} greeting=hi\n"), (output.ReleasePhase, output.ExitCode, output.Output));
        var logs = await app.LogsAsync();
        var migrated = logs.IndexOf($"app[release.1]: migrated v{version}", StringComparison.Ordinal);
        var started = logs.IndexOf("slipway[web.1]: Starting process", StringComparison.Ordinal);
        Assert.True(migrated >= 0 && started > migrated, logs);
        Assert.Single(await app.DynosAsync());
    }

    [Fact]
    public async Task Deploy_SlugWithEscapingEntry_IsRefusedAtUploadWithTheReason()
    {
        await using var app = await fixture.CreateAppAsync();
        var bytes = TestSlug.Build("A", [TestSlug.File("./app/../../escaped.txt", "nope")]);

        var (slug, upload) = await fixture.Api.PutSlugAsync(app.Key, bytes, new Dictionary<string, string> { ["web"] = TestSlug.Command() });

        Assert.Contains("Entry './app/../../escaped.txt' escapes the slug's folder", await SlipwayApi.ProblemAsync(upload, HttpStatusCode.UnprocessableEntity), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await app.Api.PostAsJsonAsync($"/apps/{app.Key}/releases", new { slug = slug.Id.ToString() })).StatusCode);
        Assert.False(File.Exists(Path.Combine(fixture.Server.DataDir, "runtime", "escaped.txt")));
        Assert.False(File.Exists(Path.Combine(fixture.Server.DataDir, "runtime", "slugs", "escaped.txt")));
    }

    [Theory]
    [InlineData("../../../..", "Entry 'app/outside/written.txt' lies inside symlink 'app/outside'")]
    [InlineData("/etc", "Symlink 'app/outside' points to an absolute path ('/etc'), outside the slug's folder.")]
    public async Task Deploy_SlugWithLinkOutOfItsFolder_IsRefusedAtUpload(string target, string reason)
    {
        await using var app = await fixture.CreateAppAsync();
        var bytes = TestSlug.Build("A", [ArchiveFile.Symlink("./app/outside", target), TestSlug.File("./app/outside/written.txt", "nope")]);

        var (slug, upload) = await fixture.Api.PutSlugAsync(app.Key, bytes, new Dictionary<string, string> { ["web"] = TestSlug.Command() });

        Assert.Contains(reason, await SlipwayApi.ProblemAsync(upload, HttpStatusCode.UnprocessableEntity), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await app.Api.PostAsJsonAsync($"/apps/{app.Key}/releases", new { slug = slug.Id.ToString() })).StatusCode);
        Assert.False(Directory.Exists(Path.Combine(fixture.Server.DataDir, "runtime", "slugs", ".incoming")) && Directory.EnumerateFileSystemEntries(Path.Combine(fixture.Server.DataDir, "runtime", "slugs", ".incoming")).Any());
    }

    [Fact]
    public async Task ReleaseOutput_ReleaseWithoutReleasePhase_SaysSo()
    {
        await using var app = await fixture.CreateAppAsync();
        var version = await app.DeploySucceededAsync(await app.UploadSlugAsync("A", new() { ["web"] = TestSlug.Command() }));

        var output = await SlipwayApi.ReadAsync<ReleaseOutputResponse>(
            await app.Api.GetAsync($"/apps/{app.Key}/releases/{version}/output", TestContext.Current.CancellationToken), HttpStatusCode.OK);

        Assert.Equal((version, "succeeded", false, (int?)null, ""), (output.Version, output.Status, output.ReleasePhase, output.ExitCode, output.Output));
        Assert.Equal(HttpStatusCode.NotFound, (await app.Api.GetAsync($"/apps/{app.Key}/releases/99/output", TestContext.Current.CancellationToken)).StatusCode);
    }
}
