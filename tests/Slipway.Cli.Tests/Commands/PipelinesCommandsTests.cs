using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Slipway.Contracts;

namespace Slipway.Cli.Tests.Commands;

/// <summary><c>aka pipelines*</c> and <c>releases:statuses</c> against a real server.</summary>
public sealed class PipelinesCommandsTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task Pipelines_CreateAddInfoPromoteRemoveDestroy_PrintExactLines()
    {
        var name = SlipwayApi.Unique("shop-");
        var dev = (await fixture.Api.CreateAppAsync()).Name;
        var stg = (await fixture.Api.CreateAppAsync()).Name;
        var aka = fixture.Aka;

        var created = await aka.RunAsync("pipelines:create", name);
        var addDev = await aka.RunAsync("pipelines:add", dev, "-p", name, "-s", "development");
        var addStg = await aka.RunAsync("pipelines:add", stg, "-p", name, "-s", "staging", "-c", "ci/tests");
        var list = await aka.RunAsync("pipelines");
        var json = await aka.RunAsync("pipelines", "--json");

        Assert.Equal(($"Creating pipeline {name} ... ✓\n", 0), (created.Out, created.ExitCode));
        Assert.Equal($"Adding {dev} to {name} at development ... ✓\n", addDev.Out);
        Assert.Equal($"Adding {stg} to {name} at staging ... ✓\n", addStg.Out);
        Assert.Contains(name, list.Out.Split('\n'));
        Assert.Contains(name, JsonDocument.Parse(json.Out).RootElement.EnumerateArray().Select(p => p.GetProperty("name").GetString()));

        var (_, release) = await fixture.Api.DeploySlugAsync(dev);
        var status = await fixture.Api.PostReleaseStatusAsync(dev, release.Id, "pending", "ci/tests");
        var info = await aka.RunAsync("pipelines:info", name);
        var statuses = await aka.RunAsync("releases:statuses", "-a", dev);
        var refused = await aka.RunAsync("pipelines:promote", "-a", dev);

        Assert.Equal(
            $"=== {name} Pipeline\n" +
            $"development  {dev}  v1  succeeded, checks pending\n" +
            $"staging      {stg}      no release                 requires ci/tests\n",
            info.Out);
        Assert.Equal($"=== {dev} v1 Statuses: pending\nci/tests  pending\n", statuses.Out);
        Assert.Equal((1, ""), (refused.ExitCode, refused.Out));
        Assert.Contains($"{stg} requires ci/tests, which is pending on {dev} v1", refused.Error);
        Assert.Empty(await fixture.Api.ListReleasesAsync(stg));

        await SlipwayApi.ReadAsync<ReleaseStatusResponse>(
            await fixture.Api.Http.PatchAsJsonAsync($"/apps/{dev}/releases/{release.Id}/statuses/{status.Id}", new { state = "success" }), HttpStatusCode.OK);
        var promoted = await aka.RunAsync("pipelines:promote", "-a", dev, "-t", stg);
        var releases = await aka.RunAsync("releases", "-a", stg);
        var remove = await aka.RunAsync("pipelines:remove", "-a", stg);
        var destroy = await aka.RunAsync("pipelines:destroy", name);

        Assert.Equal(($"Promoting {dev} v1 to {stg} ... ✓\n{stg}: v1 succeeded\n", 0), (promoted.Out, promoted.ExitCode));
        Assert.Contains($"\tPromotion from {dev} v1", releases.Out);
        Assert.Equal($"Removing {stg} from {name} ... ✓\n", remove.Out);
        Assert.Equal($"Destroying pipeline {name} ... ✓\n", destroy.Out);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Api.Http.GetAsync($"/apps/{dev}/pipeline-couplings")).StatusCode);
    }

    [Fact]
    public async Task PipelinesAdd_UnknownStage_FailsWithTheRule()
    {
        var name = (await fixture.Api.CreatePipelineAsync()).Name;
        var app = (await fixture.Api.CreateAppAsync()).Name;

        var result = await fixture.Aka.RunAsync("pipelines:add", app, "-p", name, "-s", "qa");

        Assert.Equal((1, ""), (result.ExitCode, result.Out));
        Assert.Contains("'qa' is not a stage: stage must be one of review, development, staging, production.", result.Error);
    }
}
