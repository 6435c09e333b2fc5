using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Slipway.Contracts;

namespace Slipway.Server.Tests.Accounts;

public abstract class AccessTests(SlipwayServerFixture fixture)
{
    private readonly SlipwayApi _admin = fixture.Api;

    [Fact]
    public async Task MemberOfSpaceA_CannotSeeOrChangeAppInSpaceB()
    {
        var spaceA = await _admin.CreateSpaceAsync();
        var appA = await _admin.CreateAppAsync(spaceA.Name);
        var appB = await _admin.CreateAppAsync();
        await _admin.SetConfigAsync(appB.Name, new { SECRET = "b" });
        var email = $"dev{SlipwayApi.Unique()}@example.com";
        var token = await fixture.Api.CreateUserAsync(email);
        await _admin.AddSpaceMemberAsync(spaceA.Name, email);
        using var member = fixture.Server.Api(token);

        var apps = await SlipwayApi.ReadAsync<List<AppResponse>>(await member.Http.GetAsync("/apps"), HttpStatusCode.OK);
        Assert.Equal([appA.Name], apps.Select(a => a.Name));
        Assert.Equal(HttpStatusCode.OK, (await member.Http.GetAsync($"/apps/{appA.Name}")).StatusCode);
        await member.SetConfigAsync(appA.Name, new { MINE = "yes" });

        var get = await member.Http.GetAsync($"/apps/{appB.Name}");
        var byId = await member.Http.GetAsync($"/apps/{appB.Id}");
        var config = await member.Http.GetAsync($"/apps/{appB.Name}/config-vars");
        var patch = await member.PatchConfigAsync(appB.Name, new { SECRET = "stolen" });
        var releases = await member.Http.GetAsync($"/apps/{appB.Name}/releases");
        var destroy = await member.Http.DeleteAsync($"/apps/{appB.Name}?confirm={appB.Name}");
        var space = await member.Http.GetAsync($"/spaces/{appB.Space.Name}");

        Assert.Equal($"App '{appB.Name}' not found.", await SlipwayApi.ProblemAsync(get, HttpStatusCode.NotFound));
        foreach (var response in new[] { byId, config, patch, releases, destroy, space })
        {
            await SlipwayApi.ProblemAsync(response, HttpStatusCode.NotFound);
        }

        Assert.Equal("b", (await _admin.GetConfigAsync(appB.Name))["SECRET"]);
        var spaces = await SlipwayApi.ReadAsync<List<SpaceResponse>>(await member.Http.GetAsync("/spaces"), HttpStatusCode.OK);
        Assert.Equal([spaceA.Name], spaces.Select(s => s.Name));
    }

    [Fact]
    public async Task NonMember_CannotCreateAppInSpace()
    {
        var space = await _admin.CreateSpaceAsync();
        var token = await fixture.Api.CreateUserAsync($"out{SlipwayApi.Unique()}@example.com");
        using var outsider = fixture.Server.Client(token);

        var response = await outsider.PostAsJsonAsync("/apps", new CreateAppRequest("sneaky", space.Name), SlipwayJson.Options);

        await SlipwayApi.ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task NonAdmin_CannotCreateUsersOrAddMembers()
    {
        var token = await fixture.Api.CreateUserAsync($"plain{SlipwayApi.Unique()}@example.com");
        using var user = fixture.Server.Client(token);
        var space = await _admin.CreateSpaceAsync();

        var create = await user.PostAsJsonAsync("/users", new CreateUserRequest("x@example.com", null, true), SlipwayJson.Options);
        var add = await user.PostAsJsonAsync($"/spaces/{space.Name}/members", new AddSpaceMemberRequest("x@example.com"), SlipwayJson.Options);

        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, add.StatusCode);
    }

    [Fact]
    public async Task NoOrBadToken_Is401()
    {
        using var anonymous = fixture.Server.Client(token: null);
        using var wrong = fixture.Server.Client("slw_not_a_token");

        var none = await anonymous.GetAsync("/apps");
        var bad = await wrong.GetAsync("/apps");
        var post = await anonymous.PostAsJsonAsync("/spaces", new CreateSpaceRequest("nope", null), SlipwayJson.Options);

        Assert.Contains("token is required", await SlipwayApi.ProblemAsync(none, HttpStatusCode.Unauthorized));
        Assert.Contains("not valid", await SlipwayApi.ProblemAsync(bad, HttpStatusCode.Unauthorized));
        await SlipwayApi.ProblemAsync(post, HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task Release_RecordsTheUserWhoCausedIt()
    {
        var email = $"rel{SlipwayApi.Unique()}@example.com";
        var token = await fixture.Api.CreateUserAsync(email);
        using var user = fixture.Server.Api(token);
        var space = await user.CreateSpaceAsync();
        var app = await user.CreateAppAsync(space.Name);

        var release = await user.SetConfigAsync(app.Name, new { WHO = "me" });

        Assert.Equal(email, release.User.Email);
    }

    [Fact]
    public async Task Tokens_AreStoredHashed()
    {
        var token = await fixture.Api.CreateUserAsync($"hash{SlipwayApi.Unique()}@example.com");

        await using var scope = fixture.Server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Slipway.Server.Data.SlipwayDb>();
        var hashes = db.Tokens.Select(t => t.Hash).ToList();

        Assert.DoesNotContain(token, hashes);
        Assert.Contains(Slipway.Server.Accounts.ApiToken.HashOf(token), hashes);
    }
}

public sealed class SqliteAccessTests(SqliteServerFixture fixture) : AccessTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class PostgresAccessTests(PostgresServerFixture fixture) : AccessTests(fixture), IClassFixture<PostgresServerFixture>;
