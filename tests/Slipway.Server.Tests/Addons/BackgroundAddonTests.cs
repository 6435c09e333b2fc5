using System.Net;
using Slipway.Contracts;

namespace Slipway.Server.Tests.Addons;

/// <summary>With requests that never wait, create and destroy answer 202 and finish in the background.</summary>
public sealed class BackgroundAddonTests(BackgroundAddonServerFixture fixture) : IClassFixture<BackgroundAddonServerFixture>
{
    private readonly SlipwayApi _api = fixture.Api;
    private readonly TestBroker _broker = fixture.Broker;

    [Fact]
    public async Task Create_LongProvision_Answers202ThenAttachesWhenBrokerIsDone()
    {
        var app = await _api.CreateAppAsync();

        var response = await _api.PostAddonAsync(app.Name, "testdb:hold");

        var pending = await SlipwayApi.ReadAsync<AddonResponse>(response, HttpStatusCode.Accepted);
        Assert.Equal("provisioning", pending.State);
        Assert.Equal($"/apps/{app.Name}/addons/{pending.Id}", response.Headers.Location?.ToString());
        Assert.Equal("provisioning", (await _api.GetAddonAsync(app.Name, pending.Name))!.State);
        Assert.Empty(await _api.ListReleasesAsync(app.Name));
        var destroyEarly = await _api.DeleteAddonAsync(app.Name, pending.Name);
        Assert.Contains("still being provisioned", await SlipwayApi.ProblemAsync(destroyEarly, HttpStatusCode.Conflict));

        _broker.Release(pending.Id);
        var done = await _api.WaitForAddonAsync(app.Name, pending.Id, a => a?.State != "provisioning");

        Assert.Equal("provisioned", done!.State);
        Assert.Equal($"Attach {pending.Name} add-on", Assert.Single(await _api.ListReleasesAsync(app.Name)).Description);
        Assert.Contains("TESTDB_URL", (await _api.GetConfigAsync(app.Name)).Keys);
    }

    [Fact]
    public async Task Create_FailingInBackground_StaysListedAsFailedWithReasonUntilDestroyed()
    {
        var app = await _api.CreateAppAsync();

        var pending = await SlipwayApi.ReadAsync<AddonResponse>(await _api.PostAddonAsync(app.Name, "testdb:async-fail"), HttpStatusCode.Accepted);
        var failed = await _api.WaitForAddonAsync(app.Name, pending.Id, a => a?.State != "provisioning");

        Assert.Equal("failed", failed!.State);
        Assert.Contains("disk full", failed.StateMessage);
        Assert.Empty(failed.ConfigVars);
        Assert.False(_broker.Holds(pending.Id));
        Assert.Empty(await _api.ListReleasesAsync(app.Name));

        var destroyed = await _api.DeleteAddonAsync(app.Name, pending.Name);
        Assert.Equal(HttpStatusCode.OK, destroyed.StatusCode);
        Assert.Empty(await _api.ListAddonsAsync(app.Name));
    }

    [Fact]
    public async Task Destroy_InBackground_Answers202WithDetachReleaseThenGoes()
    {
        var app = await _api.CreateAppAsync();
        var addon = await _api.CreateAddonAsync(app.Name, "testdb:async");

        var response = await _api.DeleteAddonAsync(app.Name, addon.Name);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("v2", response.Headers.GetValues("Slipway-Release").Single());
        Assert.DoesNotContain("TESTDB_URL", (await _api.GetConfigAsync(app.Name)).Keys);
        Assert.Null(await _api.WaitForAddonAsync(app.Name, addon.Id, a => a is null));
        Assert.False(_broker.Holds(addon.Id));
    }
}
