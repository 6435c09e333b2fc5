using System.Net;
using System.Net.Http.Json;
using Slipway.Contracts;
using Slipway.Server.Tests.Runtime;

namespace Slipway.Server.Tests.Pipelines;

/// <summary>
/// Promotions on a real server: the source release's slug released on each target with the
/// target's own config, served through the router; refused (409, every reason) before any release
/// is made while a required check is not success or, when safe, config var names differ.
/// </summary>
public abstract class PromotionTests(SlipwayServerFixture fixture)
{
    private readonly SlipwayApi _api = fixture.Api;

    [Fact]
    public async Task Promote_DevToStagingToProduction_EachTargetRunsTheSameCodeOnItsOwnConfig()
    {
        var pipeline = (await _api.CreatePipelineAsync()).Name;
        var (dev, stg, prod) = (await AppAsync(), await AppAsync(), await AppAsync());
        await _api.CoupleAsync(dev, pipeline, "development");
        await _api.CoupleAsync(stg, pipeline, "staging", "ci/tests");
        await _api.CoupleAsync(prod, pipeline, "production", "ci/tests", "security/scan");
        await _api.SetConfigAsync(stg, new Dictionary<string, string> { ["WHO"] = "staging" });
        await _api.SetConfigAsync(prod, new Dictionary<string, string> { ["WHO"] = "production" });
        var code = "promoted " + SlipwayApi.Unique();
        var slug = await _api.CreateSlugAsync(dev, new() { ["index.html"] = code }, commit: "0123456789abcdef0123456789abcdef01234567", message: "Ship it");
        var built = await _api.DeployAsync(dev, slug.Id);
        await _api.PostReleaseStatusAsync(dev, built.Id, "success", "ci/tests");

        var toStaging = await _api.PromoteAsync(dev);
        var staged = await _api.SettledAsync(stg, Assert.Single(toStaging.Targets).Release.Version);
        await _api.PostReleaseStatusAsync(stg, staged.Id, "success", "ci/tests");
        await _api.PostReleaseStatusAsync(stg, staged.Id, "success", "security/scan");
        var toProduction = await _api.PromoteAsync(stg);
        var produced = await _api.SettledAsync(prod, Assert.Single(toProduction.Targets).Release.Version);

        Assert.Equal((dev, built.Version, stg, 2), (toStaging.Source.App.Name, toStaging.Source.Release.Version, toStaging.Targets[0].App.Name, toStaging.Targets[0].Release.Version));
        Assert.Equal(("succeeded", $"Promotion from {dev} v1", "succeeded", $"Promotion from {stg} v2"), (staged.Status, staged.Description, produced.Status, produced.Description));
        Assert.Equal(("0123456789abcdef0123456789abcdef01234567", "Ship it"), (produced.Source?.Commit, produced.Source?.Message));
        Assert.Equal("staging", (await _api.GetReleaseConfigAsync(stg, "v2"))["WHO"]);
        Assert.Equal("production", (await _api.GetReleaseConfigAsync(prod, "v2"))["WHO"]);
        // Each target claims the bytes under a slug row of its own, with the same checksum.
        var slugs = new[] { slug.Id, staged.Slug.Id!.Value, produced.Slug.Id!.Value };
        Assert.Equal(3, slugs.Distinct().Count());
        Assert.Single((await Task.WhenAll(slugs.Select(_api.GetSlugAsync))).Select(s => s.Checksum).Distinct());
        var done = await SlipwayApi.ReadAsync<PipelinePromotionResponse>(await _api.Http.GetAsync($"/pipeline-promotions/{toProduction.Id}"), HttpStatusCode.OK);
        Assert.Equal(("succeeded", "succeeded", pipeline), (done.Status, done.Targets[0].Status, done.Pipeline.Name));

        // Served through the router (each app is destroyed once it has answered).
        foreach (var key in new[] { dev, stg, prod })
        {
            await using var served = RuntimeApp.ForExisting(fixture.Server.Api(), fixture.Server.RouterPort, key);
            Assert.Equal(code, await served.ServesAsync(code));
        }
    }

    [Fact]
    public async Task Promote_ChecksMissingPendingFailedOrErrored_Is409WithEveryReason_AndNoTargetGetsARelease()
    {
        var pipeline = (await _api.CreatePipelineAsync()).Name;
        var (dev, stgA, stgB) = (await AppAsync(), await AppAsync(), await AppAsync());
        await _api.CoupleAsync(dev, pipeline, "development");
        await _api.CoupleAsync(stgA, pipeline, "staging", "ci/tests", "lint");
        await _api.CoupleAsync(stgB, pipeline, "staging", "scan", "smoke");
        var (_, release) = await _api.DeploySlugAsync(dev);
        await _api.PostReleaseStatusAsync(dev, release.Id, "pending", "ci/tests");
        await _api.PostReleaseStatusAsync(dev, release.Id, "failure", "scan");
        await _api.PostReleaseStatusAsync(dev, release.Id, "error", "smoke");

        var refused = await SlipwayApi.ProblemAsync(await _api.PostPromotionAsync(dev), HttpStatusCode.Conflict);

        Assert.Contains($"{stgA} requires ci/tests, which is pending on {dev} v1", refused);
        Assert.Contains($"{stgA} requires lint, which is missing on {dev} v1", refused);
        Assert.Contains($"{stgB} requires scan, which is failure on {dev} v1", refused);
        Assert.Contains($"{stgB} requires smoke, which is error on {dev} v1", refused);
        Assert.Empty(await _api.ListReleasesAsync(stgA));
        Assert.Empty(await _api.ListReleasesAsync(stgB));

        // One target satisfied, the other not: still nothing anywhere.
        await Patch(dev, release.Id, "ci/tests", "success");
        await _api.PostReleaseStatusAsync(dev, release.Id, "success", "lint");
        var stillRefused = await SlipwayApi.ProblemAsync(await _api.PostPromotionAsync(dev), HttpStatusCode.Conflict);

        Assert.DoesNotContain(stgA, stillRefused);
        Assert.Contains($"{stgB} requires scan, which is failure", stillRefused);
        Assert.Empty(await _api.ListReleasesAsync(stgA));

        await Patch(dev, release.Id, "scan", "success");
        await Patch(dev, release.Id, "smoke", "success");
        var accepted = await _api.PromoteAsync(dev);

        Assert.Equal(new[] { stgA, stgB }.Order(StringComparer.Ordinal), accepted.Targets.Select(t => t.App.Name));
        Assert.Single(await _api.ListReleasesAsync(stgA));
        Assert.Single(await _api.ListReleasesAsync(stgB));
    }

    [Fact]
    public async Task Promote_Safe_RefusesWhenConfigNamesDiffer_ListingNamesNeverValues()
    {
        var pipeline = (await _api.CreatePipelineAsync()).Name;
        var (dev, stg) = (await AppAsync(), await AppAsync());
        await _api.CoupleAsync(dev, pipeline, "development");
        await _api.CoupleAsync(stg, pipeline, "staging");
        await _api.SetConfigAsync(dev, new Dictionary<string, string> { ["ONLY_DEV"] = "dev-secret-value", ["SHARED"] = "a" });
        await _api.SetConfigAsync(stg, new Dictionary<string, string> { ["SHARED"] = "b", ["ONLY_STG"] = "stg-secret-value" });
        await _api.DeploySlugAsync(dev);

        var refused = await SlipwayApi.ProblemAsync(await _api.PostPromotionAsync(dev, safe: true), HttpStatusCode.Conflict);

        Assert.Contains($"{stg} lacks config vars ONLY_DEV", refused);
        Assert.Contains($"{stg} has config vars ONLY_STG that {dev} v2 has not", refused);
        Assert.DoesNotContain("secret-value", refused);
        Assert.Single(await _api.ListReleasesAsync(stg));

        var unsafePromotion = await _api.PromoteAsync(dev);
        var made = await _api.SettledAsync(stg, unsafePromotion.Targets[0].Release.Version);

        Assert.Equal("succeeded", made.Status);
        Assert.Equal(["ONLY_STG", "SHARED"], made.ConfigVarNames.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Promote_SourceReleaseNotSucceeded_Or_NamedRelease_IsCheckedFirst()
    {
        var pipeline = (await _api.CreatePipelineAsync()).Name;
        var (dev, stg) = (await AppAsync(), await AppAsync());
        await _api.CoupleAsync(dev, pipeline, "development");
        await _api.CoupleAsync(stg, pipeline, "staging");

        var none = await SlipwayApi.ProblemAsync(await _api.PostPromotionAsync(dev), HttpStatusCode.Conflict);
        var (_, first) = await _api.DeploySlugAsync(dev);
        var configOnly = await _api.SetConfigAsync(dev, new Dictionary<string, string> { ["X"] = "1" });
        var missing = await SlipwayApi.ProblemAsync(await _api.PostPromotionAsync(dev, release: "v9"), HttpStatusCode.NotFound);
        var self = await SlipwayApi.ProblemAsync(await _api.PostPromotionAsync(dev, targets: dev), HttpStatusCode.UnprocessableEntity);
        var named = await SlipwayApi.ReadAsync<PipelinePromotionResponse>(await _api.PostPromotionAsync(dev, release: $"v{first.Version}"), HttpStatusCode.Created);

        Assert.Contains("has no release to promote", none);
        Assert.Contains("'v9' not found", missing);
        Assert.Contains("is the source", self);
        Assert.Equal((first.Version, $"Promotion from {dev} v1"), (named.Source.Release.Version, (await _api.SettledAsync(stg, named.Targets[0].Release.Version)).Description));
        Assert.Equal(2, configOnly.Version);
    }

    [Fact]
    public async Task Rollback_OnProductionAfterAPromotion_GoesBackAndForth()
    {
        var pipeline = (await _api.CreatePipelineAsync()).Name;
        var (stg, prod) = (await AppAsync(), await AppAsync());
        await _api.CoupleAsync(stg, pipeline, "staging");
        await _api.CoupleAsync(prod, pipeline, "production");
        var (oldCode, newCode) = ("old " + SlipwayApi.Unique(), "new " + SlipwayApi.Unique());
        await _api.DeployAsync(prod, (await _api.CreateSlugAsync(prod, new() { ["index.html"] = oldCode })).Id);
        await _api.DeployAsync(stg, (await _api.CreateSlugAsync(stg, new() { ["index.html"] = newCode })).Id);
        await using var served = RuntimeApp.ForExisting(fixture.Server.Api(), fixture.Server.RouterPort, prod);

        var promoted = await _api.SettledAsync(prod, (await _api.PromoteAsync(stg)).Targets[0].Release.Version);
        await served.ServesAsync(newCode);
        var back = await _api.RollbackAsync(prod, "v1");
        await served.ServesAsync(oldCode);
        var forth = await _api.RollbackAsync(prod, $"v{promoted.Version}");
        await served.ServesAsync(newCode);

        Assert.Equal(
            [(1, "succeeded"), (2, "succeeded"), (3, "succeeded"), (4, "succeeded")],
            (await _api.ListReleasesAsync(prod)).Select(r => (r.Version, r.Status)));
        Assert.Equal(($"Rollback to v1", "Rollback to v2"), (back.Description, forth.Description));
        Assert.Equal(promoted.Slug.Id, forth.Slug.Id);
    }

    [Fact]
    public async Task NonMember_CannotCoupleSeeOrPromoteAnAppSheCannotSee_404()
    {
        var pipeline = (await _api.CreatePipelineAsync()).Name;
        var (dev, stg) = (await AppAsync(), await AppAsync());
        var coupling = await _api.CoupleAsync(dev, pipeline, "development");
        await _api.CoupleAsync(stg, pipeline, "staging");
        await _api.DeploySlugAsync(dev);
        var email = SlipwayApi.Unique("eve") + "@example.com";
        using var eve = fixture.Server.Api(await _api.CreateUserAsync(email));
        var own = await eve.CreateAppAsync();

        Assert.Contains(pipeline, (await eve.Http.GetFromJsonAsync<List<PipelineResponse>>("/pipelines", SlipwayJson.Options))!.Select(p => p.Name));
        Assert.Empty((await eve.Http.GetFromJsonAsync<List<PipelineCouplingResponse>>($"/pipelines/{pipeline}/pipeline-couplings", SlipwayJson.Options))!);
        await SlipwayApi.ProblemAsync(await eve.PostCouplingAsync(dev, pipeline, "review"), HttpStatusCode.NotFound);
        await SlipwayApi.ProblemAsync(await eve.Http.GetAsync($"/pipeline-couplings/{coupling.Id}"), HttpStatusCode.NotFound);
        await SlipwayApi.ProblemAsync(await eve.Http.DeleteAsync($"/pipeline-couplings/{coupling.Id}"), HttpStatusCode.NotFound);
        await SlipwayApi.ProblemAsync(await eve.PostPromotionAsync(dev), HttpStatusCode.NotFound);
        await eve.CoupleAsync(own.Name, pipeline, "review");
        await eve.DeploySlugAsync(own.Name);
        await SlipwayApi.ProblemAsync(await eve.PostPromotionAsync(own.Name, targets: stg), HttpStatusCode.NotFound);
        await SlipwayApi.ProblemAsync(await eve.Http.DeleteAsync($"/pipelines/{pipeline}"), HttpStatusCode.Forbidden);
        Assert.Empty(await _api.ListReleasesAsync(stg));
        Assert.Equal(3, (await _api.Http.GetFromJsonAsync<List<PipelineCouplingResponse>>($"/pipelines/{pipeline}/pipeline-couplings", SlipwayJson.Options))!.Count);
    }

    private async Task<string> AppAsync() => (await _api.CreateAppAsync()).Name;

    private async Task Patch(string app, Guid release, string context, string state)
    {
        var list = await SlipwayApi.ReadAsync<ReleaseStatusListResponse>(await _api.Http.GetAsync($"/apps/{app}/releases/{release}/statuses"), HttpStatusCode.OK);
        var id = list.Statuses.Single(s => s.Context == context).Id;
        await SlipwayApi.ReadAsync<ReleaseStatusResponse>(await _api.Http.PatchAsJsonAsync($"/apps/{app}/releases/{release}/statuses/{id}", new { state }), HttpStatusCode.OK);
    }
}

public sealed class SqlitePromotionTests(SqliteServerFixture fixture) : PromotionTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class PostgresPromotionTests(PostgresServerFixture fixture) : PromotionTests(fixture), IClassFixture<PostgresServerFixture>;
