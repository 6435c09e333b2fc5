using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Slipway.Contracts;

namespace Slipway.Server.Tests.Accounts;

/// <summary>Tokens listed and revoked, users disabled and deleted, members removed: each effective on the very next request.</summary>
public abstract partial class AccountsApiTests(SlipwayServerFixture fixture)
{
    private readonly SlipwayApi _admin = fixture.Api;

    [Fact]
    public async Task Tokens_ListNoSecrets_AndARevokedTokenIs401OnTheNextRequest()
    {
        var (_, first) = await CreateUserAsync();
        using var user = fixture.Server.Client(first);
        var second = await SlipwayApi.ReadAsync<TokenResponse>(await user.PostAsJsonAsync("/users/me/tokens", new CreateTokenRequest("laptop"), SlipwayJson.Options), HttpStatusCode.Created);
        using var laptop = fixture.Server.Client(second.Token);

        var listing = await user.GetAsync("/users/~/tokens");
        var body = await listing.Content.ReadAsStringAsync();
        var revoked = await user.DeleteAsync($"/users/me/tokens/{second.Id}");
        var afterRevoke = await laptop.GetAsync("/account");

        var tokens = await SlipwayApi.ReadAsync<List<TokenInfoResponse>>(listing, HttpStatusCode.OK);
        Assert.Equal(["first token", "laptop"], tokens.Select(t => t.Description));
        Assert.DoesNotContain(first, body);
        Assert.DoesNotContain(second.Token, body);
        Assert.DoesNotContain("slw_", body);
        Assert.Equal(second.Id, (await SlipwayApi.ReadAsync<TokenInfoResponse>(revoked, HttpStatusCode.OK)).Id);
        Assert.Contains("not valid", await SlipwayApi.ProblemAsync(afterRevoke, HttpStatusCode.Unauthorized));
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/account")).StatusCode);
    }

    [Fact]
    public async Task Tokens_OfAnotherUser_AreNotFoundForANonAdmin_AndAnAdminRevokesThem()
    {
        var (email, token) = await CreateUserAsync();
        var (_, otherToken) = await CreateUserAsync();
        using var other = fixture.Server.Client(otherToken);
        var id = (await SlipwayApi.ReadAsync<List<TokenInfoResponse>>(await _admin.Http.GetAsync($"/users/{email}/tokens"), HttpStatusCode.OK)).Single().Id;

        var list = await other.GetAsync($"/users/{email}/tokens");
        var revoke = await other.DeleteAsync($"/users/{email}/tokens/{id}");
        var stillWorks = await fixture.Server.Client(token).GetAsync("/account");
        var byAdmin = await _admin.Http.DeleteAsync($"/users/{email}/tokens/{id}");
        var again = await _admin.Http.DeleteAsync($"/users/{email}/tokens/{id}");

        Assert.Equal($"User '{email}' not found.", await SlipwayApi.ProblemAsync(list, HttpStatusCode.NotFound));
        await SlipwayApi.ProblemAsync(revoke, HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, stillWorks.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
        Assert.Equal($"Token '{id}' not found.", await SlipwayApi.ProblemAsync(again, HttpStatusCode.NotFound));
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Server.Client(token).GetAsync("/account")).StatusCode);
    }

    [Fact]
    public async Task DisabledUser_Is401OnTheNextRequest_AndEnabledAgainGetsIn()
    {
        var (email, token) = await CreateUserAsync();
        using var user = fixture.Server.Client(token);
        var before = await user.GetAsync("/apps");

        var disabled = await _admin.Http.PatchAsJsonAsync($"/users/{email}", new UpdateUserRequest(true), SlipwayJson.Options);
        var during = await user.GetAsync("/apps");
        var listed = await SlipwayApi.ReadAsync<List<AccountResponse>>(await _admin.Http.GetAsync("/users"), HttpStatusCode.OK);
        var enabled = await _admin.Http.PatchAsJsonAsync($"/users/{email}", new UpdateUserRequest(false), SlipwayJson.Options);
        var after = await user.GetAsync("/apps");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.True((await SlipwayApi.ReadAsync<AccountResponse>(disabled, HttpStatusCode.OK)).Disabled);
        await SlipwayApi.ProblemAsync(during, HttpStatusCode.Unauthorized);
        Assert.True(listed.Single(u => u.Email == email).Disabled);
        Assert.False((await SlipwayApi.ReadAsync<AccountResponse>(enabled, HttpStatusCode.OK)).Disabled);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task DisableAndDelete_AreForAdmins_AndNotOfOneself()
    {
        var (email, token) = await CreateUserAsync();
        using var user = fixture.Server.Client(token);

        var byUser = await user.PatchAsJsonAsync($"/users/{email}", new UpdateUserRequest(true), SlipwayJson.Options);
        var deleteByUser = await user.DeleteAsync($"/users/{email}");
        var selfDisable = await _admin.Http.PatchAsJsonAsync("/users/me", new UpdateUserRequest(true), SlipwayJson.Options);
        var selfDelete = await _admin.Http.DeleteAsync("/users/~");

        Assert.Equal(HttpStatusCode.Forbidden, byUser.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, deleteByUser.StatusCode);
        Assert.Equal("You cannot disable your own user; ask another admin.", await SlipwayApi.ProblemAsync(selfDisable, HttpStatusCode.Conflict));
        Assert.Equal("You cannot delete your own user; ask another admin.", await SlipwayApi.ProblemAsync(selfDelete, HttpStatusCode.Conflict));
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/account")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _admin.Http.GetAsync("/account")).StatusCode);
    }

    [Fact]
    public async Task DeletedUser_LosesTokensAndMemberships_AndHerReleasesStillNameHer()
    {
        var (email, token) = await CreateUserAsync();
        var space = await _admin.CreateSpaceAsync();
        await _admin.AddSpaceMemberAsync(space.Name, email);
        using var user = fixture.Server.Api(token);
        var app = await user.CreateAppAsync(space.Name);
        var release = await user.SetConfigAsync(app.Name, new { BY = "her" });

        var deleted = await _admin.Http.DeleteAsync($"/users/{email}");
        var after = await user.Http.GetAsync($"/apps/{app.Name}");

        Assert.Equal(email, (await SlipwayApi.ReadAsync<AccountResponse>(deleted, HttpStatusCode.OK)).Email);
        await SlipwayApi.ProblemAsync(after, HttpStatusCode.Unauthorized);
        var members = await SlipwayApi.ReadAsync<List<SpaceMemberResponse>>(await _admin.Http.GetAsync($"/spaces/{space.Name}/members"), HttpStatusCode.OK);
        Assert.Empty(members);
        Assert.DoesNotContain(email, (await SlipwayApi.ReadAsync<List<AccountResponse>>(await _admin.Http.GetAsync("/users"), HttpStatusCode.OK)).Select(u => u.Email));
        Assert.Equal(email, (await _admin.GetReleaseAsync(app.Name, release.Version)).User.Email);
        await SlipwayApi.ProblemAsync(await _admin.Http.GetAsync($"/users/{email}/tokens"), HttpStatusCode.NotFound);
        var again = await _admin.Http.PostAsJsonAsync("/users", new CreateUserRequest(email, null), SlipwayJson.Options);
        Assert.Contains("was deleted", await SlipwayApi.ProblemAsync(again, HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task DeletedUser_WithoutHistory_IsGone_AndHerEmailCanBeUsedAgain()
    {
        var (email, token) = await CreateUserAsync();

        var deleted = await _admin.Http.DeleteAsync($"/users/{email}");
        var again = await _admin.Http.PostAsJsonAsync("/users", new CreateUserRequest(email, null), SlipwayJson.Options);

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Server.Client(token).GetAsync("/account")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }

    [Fact]
    public async Task RemovedMember_NoLongerSeesTheSpaceOrItsApps_OnTheNextRequest()
    {
        var (email, token) = await CreateUserAsync();
        var space = await _admin.CreateSpaceAsync();
        var app = await _admin.CreateAppAsync(space.Name);
        await _admin.AddSpaceMemberAsync(space.Name, email);
        using var user = fixture.Server.Client(token);
        var before = await user.GetAsync($"/apps/{app.Name}");

        var byUser = await user.DeleteAsync($"/spaces/{space.Name}/members/{email}");
        var removed = await _admin.Http.DeleteAsync($"/spaces/{space.Name}/members/{email}");
        var after = await user.GetAsync($"/apps/{app.Name}");
        var again = await _admin.Http.DeleteAsync($"/spaces/{space.Name}/members/{email}");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byUser.StatusCode);
        Assert.Equal(email, (await SlipwayApi.ReadAsync<SpaceMemberResponse>(removed, HttpStatusCode.OK)).Email);
        await SlipwayApi.ProblemAsync(after, HttpStatusCode.NotFound);
        Assert.Equal($"User '{email}' is not a member of space '{space.Name}'.", await SlipwayApi.ProblemAsync(again, HttpStatusCode.NotFound));
        Assert.Empty(await SlipwayApi.ReadAsync<List<SpaceResponse>>(await user.GetAsync("/spaces"), HttpStatusCode.OK));
    }

    [Fact]
    public async Task DashboardSession_EndsOnTheNextRequestOnceItsUserIsDisabled()
    {
        var (email, token) = await CreateUserAsync();
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        using var browser = new HttpClient(handler) { BaseAddress = fixture.Server.BaseAddress };
        var form = await browser.GetStringAsync("/ui/sign-in");
        var antiforgery = AntiforgeryField().Match(form).Groups[1].Value;
        var signIn = await browser.PostAsync("/ui/sign-in", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token, [Slipway.Server.Ui.UiSetup.AntiforgeryFieldName] = antiforgery }));
        var before = await browser.GetAsync("/ui/apps");

        await SlipwayApi.ReadAsync<AccountResponse>(await _admin.Http.PatchAsJsonAsync($"/users/{email}", new UpdateUserRequest(true), SlipwayJson.Options), HttpStatusCode.OK);
        var after = await browser.GetAsync("/ui/apps");

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/ui/sign-in", after.Headers.Location?.PathAndQuery);
    }

    private async Task<(string Email, string Token)> CreateUserAsync()
    {
        var email = $"acc{SlipwayApi.Unique()}@example.com";
        return (email, await _admin.CreateUserAsync(email));
    }

    [GeneratedRegex("name=\"__csrf\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}

public sealed class SqliteAccountsApiTests(SqliteServerFixture fixture) : AccountsApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class PostgresAccountsApiTests(PostgresServerFixture fixture) : AccountsApiTests(fixture), IClassFixture<PostgresServerFixture>;
