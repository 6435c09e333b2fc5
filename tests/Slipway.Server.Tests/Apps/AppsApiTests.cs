using System.Net;
using System.Net.Http.Json;
using Slipway.Contracts;

namespace Slipway.Server.Tests.Apps;

public abstract class AppsApiTests(SlipwayServerFixture fixture)
{
    private readonly SlipwayApi _api = fixture.Api;

    [Fact]
    public async Task CreateApp_InSpace_HasKeyNameDashSpace()
    {
        var space = await _api.CreateSpaceAsync();
        var app = await _api.CreateAppAsync(space.Name, "web1");

        Assert.Equal($"web1-{space.Name}", app.Name);
        Assert.Equal("web1", app.SimpleName);
        Assert.Equal(space.Name, app.Space.Name);

        var byKey = await SlipwayApi.ReadAsync<AppResponse>(await _api.Http.GetAsync($"/apps/{app.Name}"), HttpStatusCode.OK);
        var byId = await SlipwayApi.ReadAsync<AppResponse>(await _api.Http.GetAsync($"/apps/{app.Id}"), HttpStatusCode.OK);
        Assert.Equal(app.Id, byKey.Id);
        Assert.Equal(app.Name, byId.Name);

        var list = await SlipwayApi.ReadAsync<List<AppResponse>>(await _api.Http.GetAsync("/apps"), HttpStatusCode.OK);
        Assert.Contains(list, a => a.Id == app.Id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("My-App")]
    [InlineData("my-app")]
    [InlineData("UPPER")]
    [InlineData("under_score")]
    [InlineData("sp ace")]
    [InlineData("thisnameiswaytoolongforanappname")]
    public async Task CreateApp_BadName_Is422AndNothingCreated(string name)
    {
        var space = await _api.CreateSpaceAsync();
        var response = await _api.Http.PostAsJsonAsync("/apps", new CreateAppRequest(name, space.Name), SlipwayJson.Options);

        var message = await SlipwayApi.ProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("App name", message);
        var list = await SlipwayApi.ReadAsync<List<AppResponse>>(await _api.Http.GetAsync("/apps"), HttpStatusCode.OK);
        Assert.DoesNotContain(list, a => a.Space.Name == space.Name);
    }

    [Fact]
    public async Task CreateApp_Duplicate_Is409()
    {
        var app = await _api.CreateAppAsync();

        var again = await _api.Http.PostAsJsonAsync("/apps", new CreateAppRequest(app.SimpleName, app.Space.Name), SlipwayJson.Options);

        Assert.Contains("already exists", await SlipwayApi.ProblemAsync(again, HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task CreateApp_UnknownSpace_Is404()
    {
        var response = await _api.Http.PostAsJsonAsync("/apps", new CreateAppRequest("fine", "nosuchspace" + SlipwayApi.Unique()), SlipwayJson.Options);

        Assert.Contains("not found", await SlipwayApi.ProblemAsync(response, HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task DestroyApp_WithoutConfirmation_IsRefusedAndAppKept()
    {
        var app = await _api.CreateAppAsync();

        var missing = await _api.Http.DeleteAsync($"/apps/{app.Name}");
        var wrong = await _api.Http.DeleteAsync($"/apps/{app.Name}?confirm=other-app");

        Assert.Contains("confirm", await SlipwayApi.ProblemAsync(missing, HttpStatusCode.UnprocessableEntity));
        await SlipwayApi.ProblemAsync(wrong, HttpStatusCode.UnprocessableEntity);
        Assert.Equal(HttpStatusCode.OK, (await _api.Http.GetAsync($"/apps/{app.Name}")).StatusCode);
    }

    [Fact]
    public async Task DestroyApp_Confirmed_RemovesAppAndItsReleases()
    {
        var app = await _api.CreateAppAsync();
        var slug = await _api.CreateSlugAsync(app.Name);
        await _api.DeployAsync(app.Name, slug.Id);
        await _api.SetConfigAsync(app.Name, new { FOO = "1" });

        var response = await _api.Http.DeleteAsync($"/apps/{app.Name}?confirm={app.Name}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await SlipwayApi.ProblemAsync(await _api.Http.GetAsync($"/apps/{app.Name}"), HttpStatusCode.NotFound);
        await SlipwayApi.ProblemAsync(await _api.Http.GetAsync($"/apps/{app.Name}/releases"), HttpStatusCode.NotFound);
        await SlipwayApi.ProblemAsync(await _api.Http.GetAsync($"/slugs/{slug.Id}"), HttpStatusCode.NotFound);
        var recreated = await _api.CreateAppAsync(app.Space.Name, app.SimpleName);
        Assert.Empty(await _api.ListReleasesAsync(recreated.Name));
    }

    [Fact]
    public async Task GetApp_Unknown_Is404WithProblemBody()
    {
        var message = await SlipwayApi.ProblemAsync(await _api.Http.GetAsync("/apps/nope-nowhere"), HttpStatusCode.NotFound);

        Assert.Equal("App 'nope-nowhere' not found.", message);
    }
}

public sealed class SqliteAppsApiTests(SqliteServerFixture fixture) : AppsApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class PostgresAppsApiTests(PostgresServerFixture fixture) : AppsApiTests(fixture), IClassFixture<PostgresServerFixture>;
