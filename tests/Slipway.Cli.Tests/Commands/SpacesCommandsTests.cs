using System.Net;
using System.Net.Sockets;

namespace Slipway.Cli.Tests;

public sealed class AccountsAndSpacesTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task UsersCreate_AsAdmin_PrintsTheUserAndAWorkingToken()
    {
        var email = $"{ServerFixture.UniqueName("dev")}@example.com";

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
        var token = await fixture.Server.CreateUserAsync($"{ServerFixture.UniqueName("dev")}@example.com");

        var result = await (fixture.Aka with { Token = token }).RunAsync("users:create", "someone@example.com");

        Assert.Equal("", result.Out);
        Assert.Equal("! This needs an admin token.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task UsersCreate_ExistingEmail_FailsWithTheServerMessage()
    {
        var email = $"{ServerFixture.UniqueName("dev")}@example.com";
        await fixture.Aka.RunAsync("users:create", email);

        var result = await fixture.Aka.RunAsync("users:create", email);

        Assert.Equal($"! A user with email '{email}' already exists.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task SpacesMembersAdd_NewUser_LetsTheUserSeeTheSpaceAndItsApps()
    {
        var email = $"{ServerFixture.UniqueName("dev")}@example.com";
        var created = await fixture.Aka.RunAsync("users:create", email);
        var user = fixture.Aka with { Token = created.Out.Split('\n')[1]["Token: ".Length..] };
        var space = ServerFixture.UniqueName("team");
        await fixture.Aka.RunAsync("spaces:create", space);
        await fixture.Aka.RunAsync("apps:create", "api", "-s", space);
        var before = await user.RunAsync("apps:info", "-a", $"api-{space}");

        var result = await fixture.Aka.RunAsync("spaces:members:add", email, "-s", space);

        Assert.Equal($"Added {email} to {space}\n", result.Out);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"! App 'api-{space}' not found.\n", before.Error);
        Assert.Equal($"{space}\n", (await user.RunAsync("spaces")).Out);
        Assert.Equal($"⬢ api-{space}\n", (await user.RunAsync("apps")).Out);
    }

    [Fact]
    public async Task SpacesMembersAdd_UnknownUser_FailsWithTheServerMessage()
    {
        var space = await fixture.CreateSpaceAsync(ServerFixture.UniqueName("team"));

        var result = await fixture.Aka.RunAsync("spaces:members:add", "nobody@example.com", "-s", space.Name);

        Assert.Equal("! User 'nobody@example.com' not found.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task SpacesCreate_NewName_PrintsTheSpace()
    {
        var name = ServerFixture.UniqueName("qa");

        var result = await fixture.Aka.RunAsync("spaces:create", name, "--description", "Quality assurance");

        Assert.Equal($"Creating space {name} ... ✓\n", result.Out);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task SpacesCreate_InvalidName_FailsWithOneErrorLine()
    {
        var result = await fixture.Aka.RunAsync("spaces:create", "Not Valid");

        Assert.Equal("", result.Out);
        Assert.StartsWith("! ", result.Error);
        Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task Spaces_AsMember_ListsNamesWithDescriptionsAligned()
    {
        var token = await fixture.Server.CreateUserAsync($"{ServerFixture.UniqueName("dev")}@example.com");
        var user = fixture.Aka with { Token = token };
        var (shortName, longName, bare) = (ServerFixture.UniqueName("a"), ServerFixture.UniqueName("bbbbbbbb"), ServerFixture.UniqueName("c"));
        await user.RunAsync("spaces:create", shortName, "-d", "Short");
        await user.RunAsync("spaces:create", longName, "-d", "Long name");
        await user.RunAsync("spaces:create", bare);

        var result = await user.RunAsync("spaces");

        var width = longName.Length + 2;
        Assert.Equal(
            $"{shortName.PadRight(width)}Short\n" +
            $"{longName.PadRight(width)}Long name\n" +
            $"{bare}\n",
            result.Out);
    }

    [Fact]
    public async Task Spaces_Json_PrintsTheApiObjects()
    {
        var name = ServerFixture.UniqueName("json");
        await fixture.CreateSpaceAsync(name, "Described");

        var result = await fixture.Aka.RunAsync("spaces", "--json");

        Assert.Contains($"\"name\": \"{name}\"", result.Out);
        Assert.Contains("\"description\": \"Described\"", result.Out);
    }

    [Fact]
    public async Task AnyCommand_WithInvalidToken_FailsWithTheServerMessage()
    {
        var result = await (fixture.Aka with { Token = "slw_not_a_token" }).RunAsync("apps");

        Assert.Equal("! The token is not valid.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task AnyCommand_ServerUnreachable_FailsWithOneErrorLine()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closed = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        listener.Stop();

        var result = await new Aka(closed).RunAsync("apps");

        Assert.StartsWith($"! Cannot reach the Slipway API at {closed}: ", result.Error);
        Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
        Assert.Equal(1, result.ExitCode);
    }
}
