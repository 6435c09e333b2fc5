using System.Net;
using System.Net.Http.Json;
using Slipway.Contracts;
using Slipway.Server.Addons;

namespace Slipway.Server.Tests.Addons;

public sealed class AddonBrokersApiTests(UnconfiguredAddonServerFixture fixture) : IClassFixture<UnconfiguredAddonServerFixture>
{
    private readonly SlipwayApi _api = fixture.Api;

    [Fact]
    public async Task Postgresql_WithoutAdminConnectionString_IsNotListedAndSaysWhatIsMissing()
    {
        var app = await _api.CreateAppAsync();

        var services = await _api.Http.GetFromJsonAsync<List<AddonServiceResponse>>("/addon-services", SlipwayJson.Options);
        var create = await _api.PostAddonAsync(app.Name, "postgresql:standard");
        var plans = await _api.Http.GetAsync("/addon-services/postgresql/plans");
        var brokers = await _api.Http.GetFromJsonAsync<List<AddonBrokerResponse>>("/addon-brokers", SlipwayJson.Options);

        Assert.DoesNotContain(services!, s => s.Name == "postgresql");
        Assert.Contains(services!, s => s.Name == "filestore");
        Assert.Contains("Slipway:Addons:Postgres:AdminConnectionString", await SlipwayApi.ProblemAsync(create, HttpStatusCode.UnprocessableEntity));
        Assert.Contains("Slipway:Addons:Postgres:AdminConnectionString", await SlipwayApi.ProblemAsync(plans, HttpStatusCode.UnprocessableEntity));
        var postgres = Assert.Single(brokers!, b => b.Name == "postgresql");
        Assert.Equal(("built_in", false), (postgres.Source, postgres.Available));
        Assert.Contains("AdminConnectionString", postgres.UnavailableReason);
        Assert.Empty(await _api.ListAddonsAsync(app.Name));
    }

    [Fact]
    public async Task AddBroker_WithGoodCredentials_IsListedWithItsServicesAndNeverItsPassword()
    {
        var response = await _api.Http.PostAsJsonAsync("/addon-brokers", new CreateAddonBrokerRequest("extra", fixture.Broker.Url.ToString(), TestBroker.Username, TestBroker.Password), SlipwayJson.Options);

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.DoesNotContain(TestBroker.Password, body);
        var listing = await _api.Http.GetStringAsync("/addon-brokers");
        Assert.DoesNotContain(TestBroker.Password, listing);
        var extra = Assert.Single(System.Text.Json.JsonSerializer.Deserialize<List<AddonBrokerResponse>>(listing, SlipwayJson.Options)!, b => b.Name == "extra");
        Assert.Equal(("api", true, TestBroker.Username), (extra.Source, extra.Available, extra.Username));
        Assert.Equal([TestBroker.Service], extra.Services);

        var app = await _api.CreateAppAsync();
        var addon = await _api.CreateAddonAsync(app.Name, "testdb:ok");
        Assert.Equal("extra", addon.Broker);

        var inUse = await _api.Http.DeleteAsync("/addon-brokers/extra");
        Assert.Contains(addon.Name, await SlipwayApi.ProblemAsync(inUse, HttpStatusCode.Conflict));
        Assert.Equal(HttpStatusCode.OK, (await _api.DeleteAddonAsync(app.Name, addon.Name)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _api.Http.DeleteAsync("/addon-brokers/extra")).StatusCode);
        Assert.DoesNotContain("extra", await _api.Http.GetStringAsync("/addon-brokers"));
    }

    [Fact]
    public async Task AddBroker_WrongPassword_Is422AndNotStored()
    {
        var response = await _api.Http.PostAsJsonAsync("/addon-brokers", new CreateAddonBrokerRequest("wrongpw", fixture.Broker.Url.ToString(), TestBroker.Username, "nope"), SlipwayJson.Options);

        var message = await SlipwayApi.ProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("HTTP 401", message);
        Assert.DoesNotContain("nope", message);
        Assert.DoesNotContain("wrongpw", await _api.Http.GetStringAsync("/addon-brokers"));
    }

    [Fact]
    public async Task AddBroker_Unreachable_Is502AndNotStored()
    {
        var response = await _api.Http.PostAsJsonAsync("/addon-brokers", new CreateAddonBrokerRequest("nowhere", "http://127.0.0.1:9/", null, null), SlipwayJson.Options);

        Assert.Contains("could not be reached", await SlipwayApi.ProblemAsync(response, HttpStatusCode.BadGateway));
        Assert.DoesNotContain("nowhere", await _api.Http.GetStringAsync("/addon-brokers"));
    }

    [Fact]
    public async Task Create_BrokerDownAfterItWasAdded_Is502AndLeavesNothing()
    {
        var app = await _api.CreateAppAsync();
        await using (var doomed = await TestBroker.StartAsync())
        {
            var added = await _api.Http.PostAsJsonAsync("/addon-brokers", new CreateAddonBrokerRequest("downlater", doomed.Url.ToString(), TestBroker.Username, TestBroker.Password), SlipwayJson.Options);
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        }

        var response = await _api.PostAddonAsync(app.Name, "testdb:ok");

        Assert.Contains("'downlater' could not be reached", await SlipwayApi.ProblemAsync(response, HttpStatusCode.BadGateway));
        Assert.Empty(await _api.ListAddonsAsync(app.Name));
        Assert.Empty(await _api.ListReleasesAsync(app.Name));
        Assert.Equal(HttpStatusCode.OK, (await _api.Http.DeleteAsync("/addon-brokers/downlater")).StatusCode);
    }

    [Theory]
    [InlineData("postgresql", "http://127.0.0.1:9/", HttpStatusCode.Conflict)]
    [InlineData("Bad Name", "http://127.0.0.1:9/", HttpStatusCode.UnprocessableEntity)]
    [InlineData("okname", "ftp://127.0.0.1/", HttpStatusCode.UnprocessableEntity)]
    public async Task AddBroker_BadNameOrUrl_IsRefused(string name, string url, HttpStatusCode expected)
    {
        var response = await _api.Http.PostAsJsonAsync("/addon-brokers", new CreateAddonBrokerRequest(name, url, null, null), SlipwayJson.Options);

        await SlipwayApi.ProblemAsync(response, expected);
    }

    [Fact]
    public async Task RemoveBroker_BuiltIn_IsRefused()
    {
        var response = await _api.Http.DeleteAsync("/addon-brokers/filestore");

        Assert.Contains("built-in", await SlipwayApi.ProblemAsync(response, HttpStatusCode.UnprocessableEntity));
    }

    [Fact]
    public async Task Brokers_AsNonAdmin_AreForbidden()
    {
        using var user = fixture.Server.Api(await fixture.Api.CreateUserAsync($"u{SlipwayApi.Unique()}@example.com"));

        var list = await user.Http.GetAsync("/addon-brokers");
        var add = await user.Http.PostAsJsonAsync("/addon-brokers", new CreateAddonBrokerRequest("x", "http://127.0.0.1:9/", null, null), SlipwayJson.Options);

        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, add.StatusCode);
    }

    [Fact]
    public void Options_BrokerWithoutUrlOrWithBuiltInName_FailValidation()
    {
        var options = new AddonOptions
        {
            Brokers = { ["filestore"] = new BrokerOptions { Url = new Uri("http://127.0.0.1/") }, ["nourl"] = new BrokerOptions() },
            PollInterval = TimeSpan.Zero,
        };

        var result = new AddonOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("Brokers:filestore", StringComparison.Ordinal) && f.Contains("built-in", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("Brokers:nourl:Url", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("PollInterval", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Server_WithInvalidBrokerUrl_DoesNotStart()
    {
        var start = SlipwayTestServer.StartAsync(settings: new Dictionary<string, string?> { ["Slipway:Addons:Brokers:bad:Url"] = "not-a-url" });

        var error = await Assert.ThrowsAnyAsync<Exception>(async () => await (await start).DisposeAsync());

        Assert.Contains("Slipway:Addons:Brokers:bad:Url", error.ToString());
    }
}
