using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Slipway.Contracts;
using Slipway.Server.Data;

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
    public async Task DestroyApp_WrongConfirmation_IsRefusedAndAppKept()
    {
        var app = await _api.CreateAppAsync();

        var wrong = await _api.Http.DeleteAsync($"/apps/{app.Name}?confirm=other-app");

        Assert.Contains("confirmation 'other-app' does not match", await SlipwayApi.ProblemAsync(wrong, HttpStatusCode.UnprocessableEntity));
        Assert.Equal(HttpStatusCode.OK, (await _api.Http.GetAsync($"/apps/{app.Name}")).StatusCode);
    }

    /// <summary>Heroku's and Akkeris's CLIs confirm with their user and then send a bare DELETE.</summary>
    [Fact]
    public async Task DestroyApp_WithoutConfirmation_DestroysTheApp()
    {
        var app = await _api.CreateAppAsync();

        var response = await _api.Http.DeleteAsync($"/apps/{app.Name}");

        Assert.Equal(app.Name, (await SlipwayApi.ReadAsync<AppResponse>(response, HttpStatusCode.OK)).Name);
        await SlipwayApi.ProblemAsync(await _api.Http.GetAsync($"/apps/{app.Name}"), HttpStatusCode.NotFound);
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
    public async Task Owner_IsTheCreator_AndUsersMeAppsListsWhatTheCallerSees()
    {
        var email = SlipwayApi.Unique("dev") + "@example.com";
        using var dev = new SlipwayApi(fixture.Server.Client(await _api.CreateUserAsync(email)));
        var space = await _api.CreateSpaceAsync();
        await _api.AddSpaceMemberAsync(space.Name, email);
        var hidden = await _api.CreateAppAsync();

        var theirs = await dev.CreateAppAsync(space.Name);
        var mine = await SlipwayApi.ReadAsync<List<AppResponse>>(await dev.Http.GetAsync("/users/~/apps"), HttpStatusCode.OK);
        var admins = await SlipwayApi.ReadAsync<List<AppResponse>>(await _api.Http.GetAsync("/users/~/apps"), HttpStatusCode.OK);

        Assert.Equal(email, theirs.Owner.Email);
        Assert.Equal([theirs.Name], mine.Select(a => a.Name));
        Assert.Equal(email, mine[0].Owner.Email);
        Assert.Contains(admins, a => a.Name == theirs.Name && a.Owner.Email == email);
        Assert.Contains(admins, a => a.Name == hidden.Name && a.Owner.Email == "admin@slipway.local");
    }

    [Fact]
    public async Task Owner_OfAnAppMadeBeforeOwnersWereRecorded_IsTheFirstAdmin()
    {
        var app = await _api.CreateAppAsync();
        await using (var scope = fixture.Server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SlipwayDb>();
            await db.Apps.Where(a => a.Id == app.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.OwnerId, (Guid?)null));
        }

        var shown = await _api.GetAppAsync(app.Name);

        Assert.Equal("admin@slipway.local", shown.Owner.Email);
    }

    [Fact]
    public async Task ServingFacts_BeforeAndAfterTheFirstDeploy_AreNullThenTheServingReleases()
    {
        var app = await _api.CreateAppAsync();
        Assert.Equal((null, null, null), (app.SlugSize, app.ReleasedAt, app.CurrentVersion));

        var (slug, release) = await _api.DeploySlugAsync(app.Name);
        await _api.ChangeConfigAsync(app.Name, new { PENDING = "1" });
        var shown = await _api.GetAppAsync(app.Name);

        Assert.Equal((slug.Size, release.CreatedAt, release.Version), (shown.SlugSize, shown.ReleasedAt, shown.CurrentVersion));
        Assert.Equal(("default", "local", "slipway-1", "slipway-1"), (shown.Organization.Name, shown.Region.Name, shown.Stack.Name, shown.BuildStack.Name));
        Assert.Equal(("complete", false, false, false), (shown.CreateStatus, shown.Acm, shown.Preview, shown.Maintenance));
        Assert.Equal($"{fixture.Server.BaseAddress.GetLeftPart(UriPartial.Authority)}/git/{app.Name}.git", shown.GitUrl);
    }

    [Fact]
    public async Task Favorites_OfADestroyedApp_GoWithIt()
    {
        var kept = await _api.CreateAppAsync();
        var destroyed = await _api.CreateAppAsync();
        foreach (var app in new[] { kept, destroyed })
        {
            await SlipwayApi.ReadAsync<AppResponse>(await _api.Http.PostAsJsonAsync("/favorites", new AddFavoriteRequest(app.Name), SlipwayJson.Options), HttpStatusCode.Created);
        }

        await _api.DestroyAppAsync(destroyed.Name);
        var favorites = await SlipwayApi.ReadAsync<List<AppResponse>>(await _api.Http.GetAsync("/favorites"), HttpStatusCode.OK);

        Assert.Contains(favorites, a => a.Id == kept.Id);
        Assert.DoesNotContain(favorites, a => a.Id == destroyed.Id);
        await using var scope = fixture.Server.Services.CreateAsyncScope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<SlipwayDb>().Favorites.AnyAsync(f => f.AppId == destroyed.Id));
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
