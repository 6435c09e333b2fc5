using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Slipway.Contracts;
using Slipway.Server.Data;

namespace Slipway.Server.Tests.Hooks;

/// <summary>
/// Webhooks on a real server: deliveries to a receiver the test runs, signed with the hook's secret
/// (checked here), retried until a failing receiver recovers, kept across a server restart, never
/// holding up a release behind a receiver that hangs, never following a redirect; the API's refusals.
/// </summary>
public abstract class HooksTests(HooksServerFixture fixture, PostgresServer postgres)
{
    private const string Secret = "s3cret-for-hooks";

    private readonly SlipwayApi _api = fixture.Api;

    [Fact]
    public async Task ConfigChange_DeliversConfigChangeReleaseAndReleased_SignedInAkkerisShapes_WithoutValues()
    {
        await using var receiver = await HookReceiver.StartAsync();
        var app = await _api.CreateAppAsync();
        var url = receiver.Url();
        var hook = await _api.CreateHookAsync(app.Name, url, Secret, "config_change", "release", "released");

        var release = await _api.SetConfigAsync(app.Name, new Dictionary<string, string> { ["GREETING"] = "value-never-sent" });
        var config = await receiver.DeliveredAsync(url, "config_change");
        var created = await receiver.DeliveredAsync(url, "release");
        var released = await receiver.DeliveredAsync(url, "released");

        foreach (var delivery in new[] { config, created, released })
        {
            Assert.True(delivery.SignedWith(Secret), $"{delivery.Event} is not signed with the hook's secret: {string.Join(", ", delivery.Headers)}");
            Assert.False(delivery.SignedWith("another secret"));
            Assert.Equal((delivery.Event, app.Name, app.Id.ToString(), app.Space.Name), (delivery.Json.GetProperty("action").GetString(), delivery.Json.GetProperty("key").GetString(), delivery.Json.GetProperty("app").GetProperty("id").GetString(), delivery.Json.GetProperty("space").GetProperty("name").GetString()));
            Assert.Equal(release.Version, delivery.Json.GetProperty("release").GetProperty("version").GetInt32());
            Assert.DoesNotContain("value-never-sent", delivery.Body);
            Assert.False(string.IsNullOrEmpty(delivery.Headers.GetValueOrDefault("x-slipway-delivery")));
        }

        var change = Assert.Single(config.Json.GetProperty("changes").EnumerateArray());
        Assert.Equal(("create", "GREETING"), (change.GetProperty("type").GetString(), change.GetProperty("name").GetString()));
        Assert.Equal(("pending", "succeeded", false), (created.Json.GetProperty("release").GetProperty("result").GetString(), released.Json.GetProperty("release").GetProperty("result").GetString(), released.Json.GetProperty("release").GetProperty("rollback").GetBoolean()));
        var results = await Poll.UntilAsync(() => _api.HookResultsAsync(app.Name, hook.Id), r => r.Count == 3, r => $"{r.Count} results");
        Assert.All(results, r => Assert.Equal((200, "delivered", "test"), (r.Response.Code, r.DeliveryState, r.Response.Headers.GetValueOrDefault("x-receiver"))));
        Assert.Equal(["config_change", "release", "released"], results.Select(r => r.Action).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Released_AfterARollback_SaysItWasARollback()
    {
        await using var receiver = await HookReceiver.StartAsync();
        var app = (await _api.CreateAppAsync()).Name;
        var url = receiver.Url();
        await _api.CreateHookAsync(app, url, Secret, "released");
        await _api.DeploySlugAsync(app);
        await _api.SetConfigAsync(app, new Dictionary<string, string> { ["X"] = "1" });

        var back = await _api.RollbackAsync(app, "v1");
        var released = await receiver.DeliveredAsync(url, "released", r => r.Json.GetProperty("release").GetProperty("version").GetInt32() == back.Version);

        var release = released.Json.GetProperty("release");
        Assert.Equal((true, 1, "Rollback to v1"), (release.GetProperty("rollback").GetBoolean(), release.GetProperty("rollback_of").GetInt32(), release.GetProperty("description").GetString()));
        Assert.False((await receiver.DeliveredAsync(url, "released", r => r.Json.GetProperty("release").GetProperty("version").GetInt32() == 1)).Json.GetProperty("release").GetProperty("rollback").GetBoolean());
        Assert.True(released.SignedWith(Secret));
    }

    [Fact]
    public async Task FailedBuild_AndScale_DeliverBuildAndFormationChange()
    {
        await using var receiver = await HookReceiver.StartAsync();
        var app = (await _api.CreateAppAsync()).Name;
        var url = receiver.Url();
        await _api.CreateHookAsync(app, url, Secret, "build", "formation_change");
        var missing = receiver.Url("no-source");
        receiver.Answer(missing, 404);

        var (build, _) = await _api.BuildAsync(app, missing);
        await _api.DeploySlugAsync(app, new() { ["web"] = SlipwayApi.StaticWeb });
        await SlipwayApi.ReadAsync<List<FormationResponse>>(await _api.PatchFormationAsync(app, new FormationPatchRequest([new FormationUpdate("web", 2, null)], null)), HttpStatusCode.OK);
        var built = await receiver.DeliveredAsync(url, "build");
        var scaled = await receiver.DeliveredAsync(url, "formation_change");

        Assert.Equal("failed", build.Status);
        Assert.Equal((build.Id.ToString(), "failed"), (built.Json.GetProperty("build").GetProperty("id").GetString(), built.Json.GetProperty("build").GetProperty("result").GetString()));
        var change = Assert.Single(scaled.Json.GetProperty("changes").EnumerateArray());
        Assert.Equal(("web", 2), (change.GetProperty("type").GetString(), change.GetProperty("quantity").GetInt32()));
        Assert.True(built.SignedWith(Secret) && scaled.SignedWith(Secret));
        await _api.PatchFormationAsync(app, new FormationPatchRequest([new FormationUpdate("web", 0, null)], null));
    }

    [Fact]
    public async Task AddonAttachedThenDestroyed_DeliversAddonChangeForEachRelease()
    {
        await using var receiver = await HookReceiver.StartAsync();
        var app = (await _api.CreateAppAsync()).Name;
        var url = receiver.Url();
        await _api.CreateHookAsync(app, url, Secret, "addon_change");

        var addon = await _api.CreateAddonAsync(app, "filestore", "files");
        var attached = await receiver.DeliveredAsync(url, "addon_change", d => d.Json.GetProperty("addons").GetArrayLength() == 1);
        var deleted = await _api.DeleteAddonAsync(app, "files");
        Assert.True(deleted.IsSuccessStatusCode, $"DELETE answered {(int)deleted.StatusCode}");
        var detached = await receiver.DeliveredAsync(url, "addon_change", d => d.Json.GetProperty("addons").GetArrayLength() == 0);

        var listed = Assert.Single(attached.Json.GetProperty("addons").EnumerateArray());
        Assert.Equal((addon.Id.ToString(), "files"), (listed.GetProperty("id").GetString(), listed.GetProperty("name").GetString()));
        Assert.Contains("files", attached.Json.GetProperty("change").GetString());
        Assert.Contains("files", detached.Json.GetProperty("change").GetString());
        Assert.True(detached.Json.GetProperty("release").GetProperty("version").GetInt32() > attached.Json.GetProperty("release").GetProperty("version").GetInt32());
        Assert.True(attached.SignedWith(Secret) && detached.SignedWith(Secret));
        Assert.Equal(app, detached.Json.GetProperty("key").GetString());
    }

    [Fact]
    public async Task Promotion_DeliversPipelinePromotionToTheTarget_NamingTheSource()
    {
        await using var receiver = await HookReceiver.StartAsync();
        var pipeline = (await _api.CreatePipelineAsync()).Name;
        var (dev, stg) = ((await _api.CreateAppAsync()).Name, (await _api.CreateAppAsync()).Name);
        await _api.CoupleAsync(dev, pipeline, "development");
        await _api.CoupleAsync(stg, pipeline, "staging");
        var url = receiver.Url();
        await _api.CreateHookAsync(stg, url, Secret, "pipeline_promotion");
        await _api.DeploySlugAsync(dev);

        var promotion = await _api.PromoteAsync(dev);
        var promoted = await receiver.DeliveredAsync(url, "pipeline_promotion");

        var json = promoted.Json;
        Assert.Equal(
            (stg, pipeline, dev, 1, promotion.Targets[0].Release.Version, promotion.Id.ToString()),
            (json.GetProperty("key").GetString(), json.GetProperty("pipeline").GetProperty("name").GetString(), json.GetProperty("source").GetProperty("app").GetProperty("name").GetString(),
             json.GetProperty("source").GetProperty("release").GetProperty("version").GetInt32(), json.GetProperty("release").GetProperty("version").GetInt32(), json.GetProperty("promotion").GetProperty("id").GetString()));
        Assert.Equal($"Promotion from {dev} v1", json.GetProperty("release").GetProperty("description").GetString());
        await _api.SettledAsync(stg, promotion.Targets[0].Release.Version);
    }

    [Fact]
    public async Task EndedDeliveries_AreRemovedOnceOlderThanKeepDays_WithTheirResults()
    {
        await using var receiver = await HookReceiver.StartAsync();
        var app = (await _api.CreateAppAsync()).Name;
        var url = receiver.Url();
        var hook = await _api.CreateHookAsync(app, url, Secret, "config_change");
        await _api.SetConfigAsync(app, new Dictionary<string, string> { ["OLD"] = "1" });
        await Poll.UntilAsync(async () => (await _api.HookResultsAsync(app, hook.Id)).Count == 1, "the delivery to be recorded");

        fixture.Clock.Advance(TimeSpan.FromDays(8));

        await Poll.UntilAsync(async () => (await _api.HookResultsAsync(app, hook.Id)).Count == 0, "the week-old delivery to be removed");
        Assert.Single(await _api.ListHooksAsync(app));
    }

    [Fact]
    public async Task FailingReceiver_IsRetried_UntilItRecovers_EachAttemptKept()
    {
        await using var receiver = await HookReceiver.StartAsync();
        var app = (await _api.CreateAppAsync()).Name;
        var url = receiver.Url();
        receiver.Answer(url, 500);
        var hook = await _api.CreateHookAsync(app, url, Secret, "config_change");

        await _api.SetConfigAsync(app, new Dictionary<string, string> { ["A"] = "1" });
        await Poll.UntilAsync(() => receiver.At(url).Count >= 2, "two failed attempts");
        receiver.Answer(url, 204);
        var delivered = await receiver.DeliveredAsync(url, "config_change");

        var results = await Poll.UntilAsync(() => _api.HookResultsAsync(app, hook.Id), r => r.Count > 0 && r[0].Response.Code == 204, r => $"results: {string.Join(", ", r.Select(x => x.Response.Code))}");
        Assert.True(results.Count >= 3);
        Assert.All(results.Skip(1), r => Assert.Equal(500, r.Response.Code));
        Assert.Equal(Enumerable.Range(1, results.Count).Reverse(), results.Select(r => r.Attempt));
        Assert.Single(results.Select(r => r.DeliveryId).Distinct());
        Assert.Equal("delivered", results[0].DeliveryState);
        Assert.All(receiver.At(url), r => Assert.Equal(delivered.Body, r.Body));
    }

    [Fact]
    public async Task ServerStopped_WithDeliveriesPending_DeliversThemAfterARestartOnTheSameDatabase()
    {
        await using var receiver = await HookReceiver.StartAsync();
        var url = receiver.Url();
        receiver.Answer(url, 503);
        var folder = Directory.CreateTempSubdirectory("slipway-hooks-restart-").FullName;
        var database = fixture.Database == Database.Postgres ? await postgres.CreateDatabaseAsync() : $"Data Source={Path.Combine(folder, "slipway.db")}";
        try
        {
            string app;
            await using (var first = await StartOnAsync(database))
            {
                using var api = first.Api();
                app = (await api.CreateAppAsync()).Name;
                await api.CreateHookAsync(app, url, Secret, "config_change", "release", "released");
                await api.SetConfigAsync(app, new Dictionary<string, string> { ["B"] = "2" });
                await Poll.UntilAsync(() => receiver.At(url).Select(r => r.Event).Distinct().Count() == 3, "every event to have been tried once");
            }

            receiver.Answer(url, 200);
            var before = receiver.At(url).Count;
            await using var second = await StartOnAsync(database);

            foreach (var @event in new[] { "config_change", "release", "released" })
            {
                var delivered = await receiver.DeliveredAsync(url, @event);
                Assert.True(delivered.SignedWith(Secret));
            }

            Assert.True(receiver.At(url).Count > before);
            using var again = second.Api();
            var hook = Assert.Single(await again.ListHooksAsync(app));
            var results = await Poll.UntilAsync(() => again.HookResultsAsync(app, hook.Id), r => r.Count(x => x.DeliveryState == "delivered" && x.Response.Code == 200) == 3, r => $"{r.Count} results");
            Assert.Equal(3, results.Select(r => r.DeliveryId).Distinct().Count());
        }
        finally
        {
            if (fixture.Database == Database.Postgres)
            {
                await postgres.DropDatabaseAsync(database);
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task HangingReceiver_DelaysNeitherTheReleaseNorOtherHooks()
    {
        await using var receiver = await HookReceiver.StartAsync();
        var app = (await _api.CreateAppAsync()).Name;
        var (stuck, fine) = (receiver.Url("stuck"), receiver.Url("fine"));
        receiver.Hang(stuck);
        await _api.CreateHookAsync(app, stuck, Secret, "release", "released", "config_change");
        await _api.CreateHookAsync(app, fine, Secret, "release", "released", "config_change");

        var version = await _api.ChangeConfigAsync(app, new Dictionary<string, string> { ["C"] = "3" });
        await Poll.UntilAsync(() => receiver.Hanging > 0, "the stuck receiver to hold a delivery");
        var settled = await _api.SettledAsync(app, version);
        await receiver.DeliveredAsync(fine, "released");
        await receiver.DeliveredAsync(fine, "config_change");

        Assert.Equal("succeeded", settled.Status);
        Assert.True(receiver.Hanging > 0, "the stuck receiver should still be holding its delivery");
        Assert.DoesNotContain(receiver.At(stuck), r => r.Status is not null);
    }

    [Fact]
    public async Task Redirect_IsNotFollowed_AndIsRecordedAsTheRedirect()
    {
        await using var receiver = await HookReceiver.StartAsync();
        var app = (await _api.CreateAppAsync()).Name;
        var (moved, target) = (receiver.Url("moved"), receiver.Url("target"));
        receiver.Redirect(moved, target);
        var hook = await _api.CreateHookAsync(app, moved, Secret, "config_change");

        await _api.SetConfigAsync(app, new Dictionary<string, string> { ["D"] = "4" });
        var results = await Poll.UntilAsync(() => _api.HookResultsAsync(app, hook.Id), r => r.Count > 0 && r[0].DeliveryState != "pending", r => $"{r.Count} results");

        var result = Assert.Single(results);
        Assert.Equal((302, "failed", target), (result.Response.Code, result.DeliveryState, result.Response.Headers.GetValueOrDefault("location")));
        Assert.Empty(receiver.At(target));
    }

    [Fact]
    public async Task Destroy_IsDeliveredAfterTheAppIsGone_AndItsHooksLeaveNothingBehind()
    {
        await using var receiver = await HookReceiver.StartAsync();
        var app = await _api.CreateAppAsync();
        var url = receiver.Url();
        var hook = await _api.CreateHookAsync(app.Name, url, Secret, "destroy");

        await _api.DestroyAppAsync(app.Name);
        var destroyed = await receiver.DeliveredAsync(url, "destroy");

        Assert.True(destroyed.SignedWith(Secret));
        Assert.Equal((app.Name, app.Id.ToString()), (destroyed.Json.GetProperty("key").GetString(), destroyed.Json.GetProperty("app").GetProperty("id").GetString()));
        await SlipwayApi.ProblemAsync(await _api.Http.GetAsync($"/apps/{app.Name}/hooks"), HttpStatusCode.NotFound);
        await Poll.UntilAsync(
            async () =>
            {
                await using var scope = fixture.Server.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<SlipwayDb>();
                return !await db.AppHooks.AnyAsync(h => h.Id == hook.Id) && !await db.HookDeliveries.AnyAsync(d => d.HookId == hook.Id);
            },
            "the hook and its delivery to be removed");
    }

    [Fact]
    public async Task Create_BadUrlUnknownEventOrNoSecret_Is422WithTheReason_AndMakesNothing()
    {
        var app = (await _api.CreateAppAsync()).Name;

        var scheme = await SlipwayApi.ProblemAsync(await _api.PostHookAsync(app, "ftp://example.com/hook", ["release"], Secret), HttpStatusCode.UnprocessableEntity);
        var relative = await SlipwayApi.ProblemAsync(await _api.PostHookAsync(app, "/just/a/path", ["release"], Secret), HttpStatusCode.UnprocessableEntity);
        var unknown = await SlipwayApi.ProblemAsync(await _api.PostHookAsync(app, "https://example.com/hook", ["release", "deploys"], Secret), HttpStatusCode.UnprocessableEntity);
        var none = await SlipwayApi.ProblemAsync(await _api.PostHookAsync(app, "https://example.com/hook", [], Secret), HttpStatusCode.UnprocessableEntity);
        var noSecret = await SlipwayApi.ProblemAsync(await _api.PostHookAsync(app, "https://example.com/hook", ["release"], null), HttpStatusCode.UnprocessableEntity);
        var hook = await _api.CreateHookAsync(app, "https://example.com/hook", Secret, "release");
        var patch = await SlipwayApi.ProblemAsync(await _api.Http.PatchAsJsonAsync($"/apps/{app}/hooks/{hook.Id}", new { url = "gopher://example.com" }, SlipwayJson.Options), HttpStatusCode.UnprocessableEntity);

        Assert.Contains("url must be an absolute http or https URL", scheme);
        Assert.Contains("url must be an absolute http or https URL", relative);
        Assert.Contains("Unknown event 'deploys'", unknown);
        Assert.Contains("release, released, build, config_change, addon_change, formation_change, pipeline_promotion, destroy", unknown);
        Assert.Contains("events must list at least one", none);
        Assert.Contains("secret is required", noSecret);
        Assert.Contains("url must be an absolute http or https URL", patch);
        Assert.Equal("https://example.com/hook", Assert.Single(await _api.ListHooksAsync(app)).Url);
    }

    [Fact]
    public async Task NonMember_Gets404_AndNoReadShowsTheSecretOrAPasswordInTheUrl()
    {
        var app = (await _api.CreateAppAsync()).Name;
        var created = await ReadRawAsync(await _api.PostHookAsync(app, "https://ci:url-password@example.com/hook", ["release", "destroy"], Secret), HttpStatusCode.Created);
        var hook = System.Text.Json.JsonSerializer.Deserialize<HookResponse>(created, SlipwayJson.Options)!;
        var email = SlipwayApi.Unique("eve") + "@example.com";
        using var eve = fixture.Server.Api(await _api.CreateUserAsync(email));

        await SlipwayApi.ProblemAsync(await eve.Http.GetAsync($"/apps/{app}/hooks"), HttpStatusCode.NotFound);
        await SlipwayApi.ProblemAsync(await eve.Http.GetAsync($"/apps/{app}/hooks/{hook.Id}"), HttpStatusCode.NotFound);
        await SlipwayApi.ProblemAsync(await eve.Http.GetAsync($"/apps/{app}/hooks/{hook.Id}/results"), HttpStatusCode.NotFound);
        await SlipwayApi.ProblemAsync(await eve.PostHookAsync(app, "https://example.com/eve", ["release"], "x"), HttpStatusCode.NotFound);
        await SlipwayApi.ProblemAsync(await eve.Http.DeleteAsync($"/apps/{app}/hooks/{hook.Id}"), HttpStatusCode.NotFound);
        var list = await ReadRawAsync(await _api.Http.GetAsync($"/apps/{app}/hooks"), HttpStatusCode.OK);
        var one = await ReadRawAsync(await _api.Http.GetAsync($"/apps/{app}/hooks/{hook.Id}"), HttpStatusCode.OK);
        var patched = await ReadRawAsync(await _api.Http.PatchAsJsonAsync($"/apps/{app}/hooks/{hook.Id}", new { active = false, secret = "another-secret" }, SlipwayJson.Options), HttpStatusCode.OK);

        foreach (var body in new[] { created, list, one, patched })
        {
            Assert.DoesNotContain(Secret, body);
            Assert.DoesNotContain("another-secret", body);
            Assert.DoesNotContain("url-password", body);
            Assert.Contains("https://ci:***@example.com/hook", body);
        }

        Assert.False(Assert.Single(await _api.ListHooksAsync(app)).Active);
        await SlipwayApi.ReadAsync<HookResponse>(await _api.Http.DeleteAsync($"/apps/{app}/hooks/{hook.Id}"), HttpStatusCode.OK);
        Assert.Empty(await _api.ListHooksAsync(app));
    }

    private static async Task<string> ReadRawAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return body;
    }

    private Task<SlipwayTestServer> StartOnAsync(string database) => fixture.Database == Database.Postgres
        ? SlipwayTestServer.StartAsync(Database.Postgres, postgres, HooksServerFixture.HookSettings, sharedConnectionString: database)
        : SlipwayTestServer.StartAsync(Database.Sqlite, settings: HooksServerFixture.HookSettings.With([new("ConnectionStrings:Slipway", database)]));
}

/// <summary>A server whose deliveries time out and are retried within a test's patience.</summary>
public class HooksServerFixture : SlipwayServerFixture
{
    public HooksServerFixture()
    {
    }

    protected HooksServerFixture(PostgresServer postgres)
        : base(Database.Postgres, postgres)
    {
    }

    public static IReadOnlyDictionary<string, string?> HookSettings { get; } = ServerSettings.QuickRuntime.With(new Dictionary<string, string?>
    {
        ["Slipway:Hooks:TimeoutSeconds"] = "3",
        ["Slipway:Hooks:FirstRetrySeconds"] = "0.2",
        ["Slipway:Hooks:MaxRetrySeconds"] = "0.5",
        ["Slipway:Hooks:PollSeconds"] = "0.1",
    });

    protected override IReadOnlyDictionary<string, string?> Settings => HookSettings;
}

public sealed class PostgresHooksServerFixture(PostgresServer postgres) : HooksServerFixture(postgres);

public sealed class SqliteHooksTests(HooksServerFixture fixture, PostgresServer postgres) : HooksTests(fixture, postgres), IClassFixture<HooksServerFixture>;

public sealed class PostgresHooksTests(PostgresHooksServerFixture fixture, PostgresServer postgres) : HooksTests(fixture, postgres), IClassFixture<PostgresHooksServerFixture>;
