namespace Slipway.Cli.Tests.Commands;

public sealed class UsersCommandsTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task UsersCreate_AsAdmin_PrintsTheUserAndAWorkingToken()
    {
        var email = $"{SlipwayApi.Unique("dev")}@example.com";

        var result = await fixture.Aka.RunAsync("users:create", email, "--name", "A Developer");

        var lines = result.Out.Split('\n');
        Assert.Equal($"Created user {email}", lines[0]);
        Assert.StartsWith("Token: ", lines[1]);
        Assert.Equal(3, lines.Length);
        Assert.Equal(0, result.ExitCode);
        var whoami = await (fixture.Aka with { Token = lines[1]["Token: ".Length..] }).RunAsync("auth:whoami");
        Assert.Equal($"{email}\n", whoami.Out);
    }

    [Fact]
    public async Task UsersCreate_AsNonAdmin_IsRefused()
    {
        var token = await fixture.Api.CreateUserAsync($"{SlipwayApi.Unique("dev")}@example.com");

        var result = await (fixture.Aka with { Token = token }).RunAsync("users:create", "someone@example.com");

        Assert.Equal("", result.Out);
        Assert.Equal("! This needs an admin token.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task UsersCreate_ExistingEmail_FailsWithTheServerMessage()
    {
        var email = $"{SlipwayApi.Unique("dev")}@example.com";
        await fixture.Aka.RunAsync("users:create", email);

        var result = await fixture.Aka.RunAsync("users:create", email);

        Assert.Equal($"! A user with email '{email}' already exists.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }
}
