using System.Net;
using System.Net.Http.Json;
using Slipway.Contracts;

namespace Slipway.Server.Tests.Spaces;

public abstract class SpacesApiTests(SlipwayServerFixture fixture)
{
    private readonly SlipwayApi _api = fixture.Api;

    [Theory]
    [InlineData("")]
    [InlineData("-lead")]
    [InlineData("Caps")]
    [InlineData("dot.ted")]
    [InlineData("under_score")]
    public async Task CreateSpace_BadName_Is422(string name)
    {
        var response = await _api.Http.PostAsJsonAsync("/spaces", new CreateSpaceRequest(name, null), SlipwayJson.Options);

        Assert.Contains("Space name", await SlipwayApi.ProblemAsync(response, HttpStatusCode.UnprocessableEntity));
    }

    [Fact]
    public async Task CreateSpace_WithDashes_IsAccepted()
    {
        var name = "qa-" + SlipwayApi.Unique();

        var space = await _api.CreateSpaceAsync(name);

        Assert.Equal(name, space.Name);
    }

    [Fact]
    public async Task CreateSpace_Duplicate_Is409()
    {
        var space = await _api.CreateSpaceAsync();

        var again = await _api.Http.PostAsJsonAsync("/spaces", new CreateSpaceRequest(space.Name, null), SlipwayJson.Options);

        await SlipwayApi.ProblemAsync(again, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task CreateSpace_NameTakenByASpaceTheCallerCannotSee_DoesNotConfirmItExists()
    {
        var hidden = await _api.CreateSpaceAsync();
        var token = await fixture.Api.CreateUserAsync($"name{SlipwayApi.Unique()}@example.com");
        using var user = fixture.Server.Api(token);
        var own = await user.CreateSpaceAsync();

        var taken = await user.Http.PostAsJsonAsync("/spaces", new CreateSpaceRequest(hidden.Name, null), SlipwayJson.Options);
        var mine = await user.Http.PostAsJsonAsync("/spaces", new CreateSpaceRequest(own.Name, null), SlipwayJson.Options);

        var message = await SlipwayApi.ProblemAsync(taken, HttpStatusCode.Conflict);
        Assert.Equal($"The space name '{hidden.Name}' cannot be used; choose another, or ask an admin about it.", message);
        Assert.DoesNotContain("exists", message);
        Assert.Equal($"Space '{own.Name}' already exists.", await SlipwayApi.ProblemAsync(mine, HttpStatusCode.Conflict));
        await SlipwayApi.ProblemAsync(await user.Http.GetAsync($"/spaces/{hidden.Name}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task NonAdmin_CreatingSpace_BecomesItsMember()
    {
        var token = await fixture.Api.CreateUserAsync($"own{SlipwayApi.Unique()}@example.com");
        using var user = fixture.Server.Api(token);

        var space = await user.CreateSpaceAsync();
        var app = await user.CreateAppAsync(space.Name);

        Assert.Equal(space.Name, app.Space.Name);
    }
}

public sealed class SqliteSpacesApiTests(SqliteServerFixture fixture) : SpacesApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class PostgresSpacesApiTests(PostgresServerFixture fixture) : SpacesApiTests(fixture), IClassFixture<PostgresServerFixture>;
