using System.Net;
using System.Text.Json;
using Slipway.Contracts;

namespace Slipway.Cli.Tests.Commands;

public sealed class TokensCommandsTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task Tokens_ListsIdAgeAndDescription_NeverTheSecret()
    {
        var email = $"{SlipwayApi.Unique("dev")}@example.com";
        var secret = await fixture.Api.CreateUserAsync(email);
        var user = fixture.Aka with { Token = secret };
        var first = (await SlipwayApi.ReadAsync<List<TokenInfoResponse>>(await fixture.Server.Client(secret).GetAsync("/users/me/tokens"), HttpStatusCode.OK)).Single();

        var result = await user.RunAsync("tokens");
        var json = await user.RunAsync("tokens", "--json");

        Assert.Equal($"{first.Id}  0 seconds ago  first token\n", result.Out);
        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain(secret, result.Out + json.Out);
        Assert.Equal(first.Id, JsonSerializer.Deserialize<List<TokenInfoResponse>>(json.Out, SlipwayJson.Options)!.Single().Id);
    }

    [Fact]
    public async Task TokensRevoke_OwnToken_StopsItAtOnce()
    {
        var secret = await fixture.Api.CreateUserAsync($"{SlipwayApi.Unique("dev")}@example.com");
        var user = fixture.Aka with { Token = secret };
        var id = (await user.RunAsync("tokens")).Out.Split(' ')[0];

        var result = await user.RunAsync("tokens:revoke", id);
        var after = await user.RunAsync("tokens");

        Assert.Equal($"Revoked token {id} (first token)\n", result.Out);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("! The token is not valid.\n", after.Error);
        Assert.Equal(1, after.ExitCode);
    }

    [Fact]
    public async Task UsersDestroy_WithoutConfirm_SendsNothing_WithConfirm_DeletesTheUser()
    {
        var email = $"{SlipwayApi.Unique("dev")}@example.com";
        var secret = await fixture.Api.CreateUserAsync(email);

        var unconfirmed = await fixture.Aka.RunAsync("users:destroy", email);
        var stillThere = await (fixture.Aka with { Token = secret }).RunAsync("auth:whoami");
        var confirmed = await fixture.Aka.RunAsync("users:destroy", email, "--confirm", email);
        var gone = await (fixture.Aka with { Token = secret }).RunAsync("auth:whoami");

        Assert.Equal($"! To destroy {email}, re-run with --confirm {email}\n", unconfirmed.Error);
        Assert.Equal(1, unconfirmed.ExitCode);
        Assert.Equal($"{email}\n", stillThere.Out);
        Assert.Equal($"Destroying {email} ... ✓\n", confirmed.Out);
        Assert.Equal(0, confirmed.ExitCode);
        Assert.Equal(1, gone.ExitCode);
    }

    [Fact]
    public async Task SpacesMembersRemove_Member_NoLongerSeesTheSpace()
    {
        var email = $"{SlipwayApi.Unique("dev")}@example.com";
        var user = fixture.Aka with { Token = await fixture.Api.CreateUserAsync(email) };
        var space = SlipwayApi.Unique("team");
        await fixture.Aka.RunAsync("spaces:create", space);
        await fixture.Aka.RunAsync("spaces:members:add", email, "-s", space);
        var before = await user.RunAsync("spaces");

        var result = await fixture.Aka.RunAsync("spaces:members:remove", email, "-s", space);
        var again = await fixture.Aka.RunAsync("spaces:members:remove", email, "-s", space);

        Assert.Equal($"{space}\n", before.Out);
        Assert.Equal($"Removed {email} from {space}\n", result.Out);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", (await user.RunAsync("spaces")).Out);
        Assert.Equal($"! User '{email}' is not a member of space '{space}'.\n", again.Error);
    }
}
