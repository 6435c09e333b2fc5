using System.Net;
using System.Net.Http.Json;
using Slipway.Contracts;

namespace Slipway.Server.Tests.Pipelines;

/// <summary>Pipelines, stages and couplings (Akkeris's routes and shapes).</summary>
public abstract class PipelinesApiTests(SlipwayServerFixture fixture)
{
    private readonly SlipwayApi _api = fixture.Api;

    [Fact]
    public async Task Pipelines_CreateListGetDelete_ByNameOrId()
    {
        var name = SlipwayApi.Unique("shop-");
        var created = await _api.CreatePipelineAsync(name);
        var byName = await SlipwayApi.ReadAsync<PipelineResponse>(await _api.Http.GetAsync($"/pipelines/{name}"), HttpStatusCode.OK);
        var byId = await SlipwayApi.ReadAsync<PipelineResponse>(await _api.Http.GetAsync($"/pipelines/{created.Id}"), HttpStatusCode.OK);
        var listed = await SlipwayApi.ReadAsync<List<PipelineResponse>>(await _api.Http.GetAsync("/pipelines"), HttpStatusCode.OK);
        var again = await _api.Http.PostAsJsonAsync("/pipelines", new CreatePipelineRequest(name), SlipwayJson.Options);
        var bad = await _api.Http.PostAsJsonAsync("/pipelines", new CreatePipelineRequest("Not_Valid"), SlipwayJson.Options);

        Assert.Equal((name, created.Id, created.Id), (created.Name, byName.Id, byId.Id));
        Assert.Contains(listed, p => p.Id == created.Id);
        Assert.Contains("already exists", await SlipwayApi.ProblemAsync(again, HttpStatusCode.Conflict));
        Assert.Contains("Pipeline name 'Not_Valid' is not valid", await SlipwayApi.ProblemAsync(bad, HttpStatusCode.UnprocessableEntity));

        var app = (await _api.CreateAppAsync()).Name;
        await _api.CoupleAsync(app, name, "development");
        Assert.Equal(name, (await SlipwayApi.ReadAsync<PipelineResponse>(await _api.Http.DeleteAsync($"/pipelines/{name}"), HttpStatusCode.OK)).Name);
        await SlipwayApi.ProblemAsync(await _api.Http.GetAsync($"/pipelines/{name}"), HttpStatusCode.NotFound);
        await SlipwayApi.ProblemAsync(await _api.Http.GetAsync($"/apps/{app}/pipeline-couplings"), HttpStatusCode.NotFound);
        Assert.Equal(app, (await _api.GetAppAsync(app)).Name);
    }

    [Fact]
    public async Task Stages_AreReviewDevelopmentStagingProduction_EachWithTheNext()
    {
        var stages = await SlipwayApi.ReadAsync<Dictionary<string, string?>>(await _api.Http.GetAsync("/pipeline-stages"), HttpStatusCode.OK);

        Assert.Equal(
            [("review", "development"), ("development", "staging"), ("staging", "production"), ("production", null)],
            stages.Select(kv => (kv.Key, kv.Value)));
    }

    [Fact]
    public async Task Couplings_CreateReadPatchDelete_WithTheAppsCurrentReleaseAndItsState()
    {
        var pipeline = (await _api.CreatePipelineAsync()).Name;
        var app = (await _api.CreateAppAsync()).Name;
        var (_, release) = await _api.DeploySlugAsync(app);
        await _api.PostReleaseStatusAsync(app, release.Id, "pending", "ci/tests");

        var created = await _api.CoupleAsync(app, pipeline, "staging", "ci/tests", "ci/tests");
        var ofApp = await SlipwayApi.ReadAsync<PipelineCouplingResponse>(await _api.Http.GetAsync($"/apps/{app}/pipeline-couplings"), HttpStatusCode.OK);
        var ofPipeline = await SlipwayApi.ReadAsync<List<PipelineCouplingResponse>>(await _api.Http.GetAsync($"/pipelines/{pipeline}/pipeline-couplings"), HttpStatusCode.OK);
        var all = await SlipwayApi.ReadAsync<List<PipelineCouplingResponse>>(await _api.Http.GetAsync("/pipeline-couplings"), HttpStatusCode.OK);
        var patched = await SlipwayApi.ReadAsync<PipelineCouplingResponse>(
            await _api.Http.PatchAsJsonAsync($"/pipeline-couplings/{created.Id}", new { stage = "production", required_status_checks = new { contexts = new[] { "ci/tests", "security/scan" } } }),
            HttpStatusCode.OK);
        var statuses = await SlipwayApi.ReadAsync<List<PipelineStatusResponse>>(await _api.Http.GetAsync($"/pipelines/{pipeline}/statuses"), HttpStatusCode.OK);

        Assert.Equal((app, pipeline, "staging"), (created.App.Name, created.Pipeline.Name, created.Stage));
        Assert.Equal(["ci/tests"], created.RequiredStatusChecks.Contexts!);
        Assert.Equal((release.Id, 1, "succeeded", "pending"), (ofApp.Release!.Id, ofApp.Release.Version, ofApp.Release.Status, ofApp.Release.State));
        Assert.Equal(created.Id, Assert.Single(ofPipeline).Id);
        Assert.Contains(all, c => c.Id == created.Id);
        Assert.Equal("production", patched.Stage);
        Assert.Equal(["ci/tests", "security/scan"], patched.RequiredStatusChecks.Contexts!);
        Assert.Equal(["ci/tests", "security/scan"], statuses.Select(s => s.Context));
        Assert.Equal([app], statuses[0].RequiredBy.Select(r => r.Name));
        Assert.Equal([(app, 1, "pending")], statuses[0].Apps.Select(a => (a.App.Name, a.Release.Version, a.State!)));
        Assert.Empty(statuses[1].Apps);

        Assert.Equal(created.Id, (await SlipwayApi.ReadAsync<PipelineCouplingResponse>(await _api.Http.DeleteAsync($"/pipeline-couplings/{created.Id}"), HttpStatusCode.OK)).Id);
        await SlipwayApi.ProblemAsync(await _api.Http.GetAsync($"/pipeline-couplings/{created.Id}"), HttpStatusCode.NotFound);
        Assert.Single(await _api.ListReleasesAsync(app));
    }

    [Theory]
    [InlineData("nosuchstage", new string[0], 422, "'nosuchstage' is not a stage")]
    [InlineData("review", new[] { "ci/tests" }, 422, "review stage takes no required status checks")]
    [InlineData("staging", new[] { "ci tests" }, 422, "context 'ci tests' is not valid")]
    public async Task Coupling_Invalid_IsRefusedAndMakesNothing(string stage, string[] contexts, int status, string message)
    {
        var pipeline = (await _api.CreatePipelineAsync()).Name;
        var app = (await _api.CreateAppAsync()).Name;

        Assert.Contains(message, await SlipwayApi.ProblemAsync(await _api.PostCouplingAsync(app, pipeline, stage, contexts), (HttpStatusCode)status));
        await SlipwayApi.ProblemAsync(await _api.Http.GetAsync($"/apps/{app}/pipeline-couplings"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Coupling_AnAppIsInOnePipelineAtMost_409()
    {
        var (first, second) = ((await _api.CreatePipelineAsync()).Name, (await _api.CreatePipelineAsync()).Name);
        var app = (await _api.CreateAppAsync()).Name;
        await _api.CoupleAsync(app, first, "development");

        var refused = await SlipwayApi.ProblemAsync(await _api.PostCouplingAsync(app, second, "staging"), HttpStatusCode.Conflict);
        var noPipeline = await SlipwayApi.ProblemAsync(await _api.PostCouplingAsync((await _api.CreateAppAsync()).Name, "nosuchpipeline", "staging"), HttpStatusCode.NotFound);

        Assert.Contains($"already in pipeline {first} (at development)", refused);
        Assert.Contains("Pipeline 'nosuchpipeline' not found", noPipeline);
        Assert.Empty(await SlipwayApi.ReadAsync<List<PipelineCouplingResponse>>(await _api.Http.GetAsync($"/pipelines/{second}/pipeline-couplings"), HttpStatusCode.OK));
    }
}

public sealed class SqlitePipelinesApiTests(SqliteServerFixture fixture) : PipelinesApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class PostgresPipelinesApiTests(PostgresServerFixture fixture) : PipelinesApiTests(fixture), IClassFixture<PostgresServerFixture>;
