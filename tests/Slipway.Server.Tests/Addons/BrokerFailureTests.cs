using System.Net;
using System.Net.Http.Json;
using Slipway.Contracts;

namespace Slipway.Server.Tests.Addons;

/// <summary>A broker that fails, refuses, is slow or is down leaves no half state behind.</summary>
public sealed class BrokerFailureTests(ImpatientAddonServerFixture fixture) : IClassFixture<ImpatientAddonServerFixture>
{
    private readonly SlipwayApi _api = fixture.Api;
    private readonly TestBroker _broker = fixture.Broker;

    [Fact]
    public async Task Create_SyncProvision_AttachesCredentialsAsUpperCasedVars()
    {
        var app = await _api.CreateAppAsync();

        var addon = await _api.CreateAddonAsync(app.Name, "testdb:ok");

        Assert.Equal(["PORT_NUMBER", "TESTDB_URL"], addon.ConfigVars);
        Assert.Equal($"https://testdb.example/{addon.Id}", addon.WebUrl);
        var config = await _api.GetConfigAsync(app.Name);
        Assert.Equal($"testdb://u:p@127.0.0.1/{addon.Id}", config["TESTDB_URL"]);
        Assert.Equal("5432", config["PORT_NUMBER"]);
        Assert.True(_broker.Holds(addon.Id));
    }

    [Fact]
    public async Task Create_BrokerFailsProvision_Is502AndLeavesNothing()
    {
        var app = await _api.CreateAppAsync();

        var response = await _api.PostAddonAsync(app.Name, "testdb:fail-provision");

        Assert.Contains("backend exploded", await SlipwayApi.ProblemAsync(response, HttpStatusCode.BadGateway));
        await AssertNothingLeftAsync(app.Name, "fail-provision");
    }

    [Fact]
    public async Task Create_BrokerRejectsProvision_Is422WithBrokersReason()
    {
        var app = await _api.CreateAppAsync();

        var response = await _api.PostAddonAsync(app.Name, "testdb:reject");

        var message = await SlipwayApi.ProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("region is required", message);
        Assert.Contains("'test'", message);
        await AssertNothingLeftAsync(app.Name, "reject");
    }

    [Fact]
    public async Task Create_BindFails_UnbindsAndDeprovisionsAndLeavesNothing()
    {
        var app = await _api.CreateAppAsync();

        var response = await _api.PostAddonAsync(app.Name, "testdb:fail-bind");

        Assert.Contains("cannot make users today", await SlipwayApi.ProblemAsync(response, HttpStatusCode.BadGateway));
        await AssertNothingLeftAsync(app.Name, "fail-bind");
        Assert.DoesNotContain(_broker.Bindings, b => !_broker.Instances.ContainsKey(b.Value));
    }

    [Fact]
    public async Task Create_BrokerTooSlow_Is504AndInstanceIsRemoved()
    {
        var app = await _api.CreateAppAsync();

        var response = await _api.PostAddonAsync(app.Name, "testdb:slow");

        Assert.Contains("did not answer", await SlipwayApi.ProblemAsync(response, HttpStatusCode.GatewayTimeout));
        await AssertNothingLeftAsync(app.Name, "slow");
    }

    [Fact]
    public async Task Create_AsyncProvision_PollsLastOperationThenAttaches()
    {
        var app = await _api.CreateAppAsync();

        var addon = await _api.CreateAddonAsync(app.Name, "testdb:async");

        Assert.True(_broker.PollsOf(addon.Id) >= 3);
        var release = await _api.GetReleaseAsync(app.Name, "v1");
        Assert.Equal($"Attach {addon.Name} add-on", release.Description);
        Assert.Contains("TESTDB_URL", (await _api.GetConfigAsync(app.Name)).Keys);
    }

    [Fact]
    public async Task Destroy_AsyncDeprovision_PollsUntilGone()
    {
        var app = await _api.CreateAppAsync();
        var addon = await _api.CreateAddonAsync(app.Name, "testdb:async");

        var response = await _api.DeleteAddonAsync(app.Name, addon.Name);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(_broker.Holds(addon.Id));
        Assert.Empty(await _api.ListAddonsAsync(app.Name));
    }

    [Fact]
    public async Task Create_AsyncProvisionFails_Is502AndLeavesNothing()
    {
        var app = await _api.CreateAppAsync();

        var response = await _api.PostAddonAsync(app.Name, "testdb:async-fail");

        Assert.Contains("disk full", await SlipwayApi.ProblemAsync(response, HttpStatusCode.BadGateway));
        await AssertNothingLeftAsync(app.Name, "async-fail");
    }

    [Fact]
    public async Task Create_OperationOutlastsPlanPollingLimit_Is504AndInstanceIsRemoved()
    {
        var app = await _api.CreateAppAsync();

        var response = await _api.PostAddonAsync(app.Name, "testdb:never");

        Assert.Contains("gave up", await SlipwayApi.ProblemAsync(response, HttpStatusCode.GatewayTimeout));
        await AssertNothingLeftAsync(app.Name, "never");
    }

    [Fact]
    public async Task Create_OverUserVarKnownOnlyAfterBind_Is409AndInstanceIsRemoved()
    {
        var app = await _api.CreateAppAsync();
        await _api.SetConfigAsync(app.Name, new { TESTDB_URL = "mine" });
        var before = HeldInstances();

        var response = await _api.PostAddonAsync(app.Name, "testdb:ok", name: "clashing");

        var message = await SlipwayApi.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Contains("TESTDB_URL", message);
        Assert.Contains("clashing", message);
        Assert.Empty(await _api.ListAddonsAsync(app.Name));
        Assert.Single(await _api.ListReleasesAsync(app.Name));
        Assert.Equal("mine", (await _api.GetConfigAsync(app.Name))["TESTDB_URL"]);
        Assert.Equal(before, HeldInstances());
    }

    [Fact]
    public async Task Create_TwoAddonsSettingSameVar_SecondIs409()
    {
        var app = await _api.CreateAppAsync();
        var first = await _api.CreateAddonAsync(app.Name, "testdb:ok");
        var before = HeldInstances();

        var response = await _api.PostAddonAsync(app.Name, "testdb:ok", name: "second");

        Assert.Contains(first.Name, await SlipwayApi.ProblemAsync(response, HttpStatusCode.Conflict));
        Assert.Equal([first.Id], (await _api.ListAddonsAsync(app.Name)).Select(a => a.Id));
        Assert.Equal(before, HeldInstances());
    }

    [Fact]
    public async Task Destroy_BrokerFailsDeprovision_KeepsAddonListedUntilRetrySucceeds()
    {
        var app = await _api.CreateAppAsync();
        var addon = await _api.CreateAddonAsync(app.Name, "testdb:fail-deprovision");

        var failed = await _api.DeleteAddonAsync(app.Name, addon.Name);

        var message = await SlipwayApi.ProblemAsync(failed, HttpStatusCode.BadGateway);
        Assert.Contains("the disk is stuck", message);
        Assert.Contains("deprovision_failed", message);
        var listed = Assert.Single(await _api.ListAddonsAsync(app.Name));
        Assert.Equal(("deprovision_failed", addon.Id), (listed.State, listed.Id));
        Assert.Contains("the disk is stuck", listed.StateMessage);
        Assert.DoesNotContain("TESTDB_URL", (await _api.GetConfigAsync(app.Name)).Keys);
        Assert.Equal($"Detach {addon.Name} add-on", (await _api.ListReleasesAsync(app.Name))[^1].Description);
        Assert.True(_broker.Holds(addon.Id));

        _broker.Heal(addon.Id);
        var retried = await _api.DeleteAddonAsync(app.Name, addon.Name);

        Assert.Equal("deprovisioned", (await SlipwayApi.ReadAsync<AddonResponse>(retried, HttpStatusCode.OK)).State);
        Assert.Empty(await _api.ListAddonsAsync(app.Name));
        Assert.False(_broker.Holds(addon.Id));
        Assert.Equal(2, (await _api.ListReleasesAsync(app.Name)).Count);
    }

    [Fact]
    public async Task Services_WithOneBrokerDown_ListOthersAndBrokerListingSaysWhy()
    {
        var services = await _api.Http.GetFromJsonAsync<List<AddonServiceResponse>>("/addon-services", SlipwayJson.Options);
        var brokers = await _api.Http.GetFromJsonAsync<List<AddonBrokerResponse>>("/addon-brokers", SlipwayJson.Options);
        var lookup = await _api.Http.GetAsync("/addon-services/nosuchservice/plans");

        Assert.Contains(services!, s => s.Name == TestBroker.Service);
        var down = Assert.Single(brokers!, b => b.Name == "down");
        Assert.Equal(("configuration", true), (down.Source, down.Available));
        Assert.Contains("could not be reached", down.CatalogError);
        Assert.Empty(down.Services);
        Assert.Contains("'down' could not be reached", await SlipwayApi.ProblemAsync(lookup, HttpStatusCode.BadGateway));
    }

    private string[] HeldInstances() => [.. _broker.Instances.Keys.Order(StringComparer.Ordinal)];

    private async Task AssertNothingLeftAsync(string app, string plan)
    {
        Assert.Empty(await _api.ListAddonsAsync(app));
        Assert.Empty(await _api.ListReleasesAsync(app));
        Assert.DoesNotContain("TESTDB_URL", (await _api.GetConfigAsync(app)).Keys);
        Assert.DoesNotContain(plan, _broker.Instances.Values);
    }
}
