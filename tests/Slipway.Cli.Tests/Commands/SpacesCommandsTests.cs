namespace Slipway.Cli.Tests.Commands;

public sealed class SpacesCommandsTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task SpacesMembersAdd_NewUser_LetsTheUserSeeTheSpaceAndItsApps()
    {
        var email = $"{SlipwayApi.Unique("dev")}@example.com";
        var created = await fixture.Aka.RunAsync("users:create", email);
        var user = fixture.Aka with { Token = created.Out.Split('\n')[1]["Token: ".Length..] };
        var space = SlipwayApi.Unique("team");
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
        var space = await fixture.Api.CreateSpaceAsync(SlipwayApi.Unique("team"));

        var result = await fixture.Aka.RunAsync("spaces:members:add", "nobody@example.com", "-s", space.Name);

        Assert.Equal("! User 'nobody@example.com' not found.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task SpacesCreate_NewName_PrintsTheSpace()
    {
        var name = SlipwayApi.Unique("qa");

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
        var token = await fixture.Api.CreateUserAsync($"{SlipwayApi.Unique("dev")}@example.com");
        var user = fixture.Aka with { Token = token };
        var (shortName, longName, bare) = (SlipwayApi.Unique("a"), SlipwayApi.Unique("bbbbbbbb"), SlipwayApi.Unique("c"));
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
        var name = SlipwayApi.Unique("json");
        await fixture.Api.CreateSpaceAsync(name, "Described");

        var result = await fixture.Aka.RunAsync("spaces", "--json");

        Assert.Contains($"\"name\": \"{name}\"", result.Out);
        Assert.Contains("\"description\": \"Described\"", result.Out);
    }
}
