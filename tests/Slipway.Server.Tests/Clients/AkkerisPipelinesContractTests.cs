using System.Text.Json;

namespace Slipway.Server.Tests.Clients;

/// <summary>
/// The Akkeris CLI's contract for pipelines (akkeris/cli 3.1.x, <c>plugins/pipelines</c>): each step
/// sends what one <c>aka pipelines*</c> command sends, in its order, and reads every field it reads.
/// </summary>
public sealed class AkkerisPipelinesContractTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private readonly HttpClient _http = fixture.Server.Client();

    [Fact]
    public async Task PipelinesCreateAddPromoteChecksUpdateRemoveDestroy_AsTheAkkerisCliSendsThem()
    {
        var name = SlipwayApi.Unique("ak-");
        var dev = (await fixture.Api.CreateAppAsync()).Name;
        var stg = (await fixture.Api.CreateAppAsync()).Name;
        var (_, release) = await fixture.Api.DeploySlugAsync(dev);
        await fixture.Api.PostReleaseStatusAsync(dev, release.Id, "success", "ci/tests");

        var created = (await _http.AkkerisAsync(HttpMethod.Post, "/pipelines", new { name }))!.Value;
        await _http.AkkerisAsync(HttpMethod.Post, "/pipeline-couplings", new { app = dev, pipeline = name, stage = "development", required_status_checks = new { contexts = Array.Empty<string>() } });
        await _http.AkkerisAsync(HttpMethod.Post, "/pipeline-couplings", new { app = stg, pipeline = name, stage = "staging", required_status_checks = new { contexts = new[] { "ci/tests" } } });
        var listed = (await _http.AkkerisAsync(HttpMethod.Get, "/pipelines"))!.Value;

        Assert.Equal(name, created.GetProperty("name").GetString());
        Assert.Contains(listed.EnumerateArray(), p => p.GetProperty("id").GetString() == created.GetProperty("id").GetString() && p.TryGetProperty("created_at", out _));

        // pipelines:promote -a dev: stages, the app's coupling, the pipeline's couplings, then the promotion (safe by default).
        var stages = (await _http.AkkerisAsync(HttpMethod.Get, "/pipeline-stages"))!.Value;
        var coupling = (await _http.AkkerisAsync(HttpMethod.Get, $"/apps/{dev}/pipeline-couplings"))!.Value;
        var couplings = (await _http.AkkerisAsync(HttpMethod.Get, $"/pipelines/{coupling.GetProperty("pipeline").GetProperty("id").GetString()}/pipeline-couplings"))!.Value;
        var next = stages.GetProperty(coupling.GetProperty("stage").GetString()!).GetString();
        var targets = couplings.EnumerateArray().Where(c => c.GetProperty("stage").GetString() == next).Select(c => new { app = c.GetProperty("app") }).ToList();
        var promotion = (await _http.AkkerisAsync(HttpMethod.Post, "/pipeline-promotions", new
        {
            pipeline = coupling.GetProperty("pipeline"),
            source = new { app = coupling.GetProperty("app") },
            targets,
            safe = true,
        }))!.Value;

        Assert.Equal("staging", next);
        Assert.Equal([stg], targets.Select(t => t.app.GetProperty("name").GetString()));
        var source = promotion.GetProperty("source");
        Assert.Equal(dev, source.GetProperty("app").GetProperty("name").GetString());
        Assert.Equal(dev[(dev.IndexOf('-') + 1)..], source.GetProperty("space").GetProperty("name").GetString());
        Assert.Equal(release.Id.ToString(), source.GetProperty("release").GetProperty("id").GetString());
        Assert.Equal($"Promotion from {dev} v1", (await fixture.Api.SettledAsync(stg, 1)).Description);

        // pipelines:checks, pipelines:update, pipelines:info, pipelines:remove, pipelines:destroy.
        var checks = (await _http.AkkerisAsync(HttpMethod.Get, $"/pipelines/{name}/statuses"))!.Value;
        var stgCoupling = couplings.EnumerateArray().Single(c => c.GetProperty("app").GetProperty("name").GetString() == stg);
        await _http.AkkerisAsync(HttpMethod.Patch, $"/pipeline-couplings/{stgCoupling.GetProperty("id").GetString()}", new { required_status_checks = new { contexts = new[] { "ci/tests", "lint" } } });
        var info = (await _http.AkkerisAsync(HttpMethod.Get, $"/pipelines/{name}/pipeline-couplings"))!.Value;
        await _http.AkkerisAsync(HttpMethod.Delete, $"/pipeline-couplings/{(await _http.AkkerisAsync(HttpMethod.Get, $"/apps/{stg}/pipeline-couplings"))!.Value.GetProperty("id").GetString()}");
        await _http.AkkerisAsync(HttpMethod.Delete, $"/pipelines/{name}");

        Assert.Equal(["ci/tests"], checks.EnumerateArray().Select(c => c.GetProperty("context").GetString()));
        Assert.Equal(JsonValueKind.Null, checks[0].GetProperty("name").ValueKind);
        Assert.Equal(
            [("development", dev, ""), ("staging", stg, "ci/tests, lint")],
            info.EnumerateArray().Select(c => (
                c.GetProperty("stage").GetString(),
                c.GetProperty("app").GetProperty("name").GetString(),
                string.Join(", ", c.GetProperty("required_status_checks").GetProperty("contexts").EnumerateArray().Select(x => x.GetString())))));
        Assert.Equal(404, (await _http.AkkerisErrorAsync(HttpMethod.Get, $"/pipelines/{name}")).Status);
    }
}
