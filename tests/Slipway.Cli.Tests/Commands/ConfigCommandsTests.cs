namespace Slipway.Cli.Tests.Commands;

public sealed class ConfigCommandsTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task ConfigSet_NewVars_PrintsKeysAndTheNewVersion()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;

        var result = await fixture.Aka.RunAsync("config:set", "FOO=1", "BAR=two words", "-a", app);

        Assert.Equal($"Setting FOO, BAR and restarting {app} ... done, v1\n", result.Out);
        Assert.Equal("", result.Error);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(new Dictionary<string, string> { ["FOO"] = "1", ["BAR"] = "two words" }, await fixture.Api.GetConfigAsync(app));
    }

    [Fact]
    public async Task ConfigSet_SameValues_PrintsNoChangeLineAndMakesNoRelease()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Aka.RunAsync("config:set", "FOO=1", "BAR=2", "-a", app);

        var result = await fixture.Aka.RunAsync("config:set", "FOO=1", "BAR=2", "-a", app);

        Assert.Equal($"No changes to {app}: FOO, BAR already set\n", result.Out);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal([1], (await fixture.Api.ListReleasesAsync(app)).Select(r => r.Version));
    }

    [Fact]
    public async Task ConfigSet_ValueWithEqualsSign_KeepsEverythingAfterTheFirst()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;

        await fixture.Aka.RunAsync("config:set", "DATABASE_URL=postgres://u:p@h/db?sslmode=require", "-a", app);

        Assert.Equal("postgres://u:p@h/db?sslmode=require", (await fixture.Api.GetConfigAsync(app))["DATABASE_URL"]);
    }

    [Fact]
    public async Task ConfigSet_Output_NeverShowsTheValue()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;

        var result = await fixture.Aka.RunAsync("config:set", "SECRET=hunter2", "-a", app);

        Assert.Equal($"Setting SECRET and restarting {app} ... done, v1\n", result.Out);
        Assert.DoesNotContain("hunter2", result.Out + result.Error);
    }

    [Fact]
    public async Task ConfigSet_ItemWithoutEqualsSign_IsRejectedBeforeAnyRequest()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;

        var result = await fixture.Aka.RunAsync("config:set", "FOO=1", "hunter2", "-a", app);

        Assert.Equal("", result.Out);
        Assert.Equal("! Config vars are set as KEY=value; argument 2 is not.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
        Assert.Empty(await fixture.Api.GetConfigAsync(app));
    }

    [Fact]
    public async Task ConfigSet_ItemWithEmptyKey_IsRejected()
    {
        var result = await fixture.Aka.RunAsync("config:set", "=hunter2", "-a", "any-app");

        Assert.Equal("! Config vars are set as KEY=value; argument 1 is not.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task ConfigSet_InvalidName_FailsWithTheServerMessage()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;

        var result = await fixture.Aka.RunAsync("config:set", "1FOO=x", "-a", app);

        Assert.Equal("! Config var name '1FOO' is not valid: names match ^[A-Za-z_][A-Za-z0-9_]*$ and are at most 255 characters.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task ConfigUnset_SetVar_PrintsKeyAndTheNewVersion()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.SetConfigAsync(app, new Dictionary<string, string> { ["FOO"] = "1" });
        await fixture.Api.SetConfigAsync(app, new Dictionary<string, string> { ["BAR"] = "2" });

        var result = await fixture.Aka.RunAsync("config:unset", "FOO", "-a", app);

        Assert.Equal($"Unsetting FOO and restarting {app} ... done, v3\n", result.Out);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(new Dictionary<string, string> { ["BAR"] = "2" }, await fixture.Api.GetConfigAsync(app));
    }

    [Fact]
    public async Task ConfigUnset_UnsetVar_PrintsNoChangeLine()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;

        var result = await fixture.Aka.RunAsync("config:unset", "FOO", "BAR", "-a", app);

        Assert.Equal($"No changes to {app}: FOO, BAR not set\n", result.Out);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Config_SetVars_PrintsThemSortedAndAligned()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Aka.RunAsync("config:set", "ZED=last", "DATABASE_URL=postgres://db", "A=1", "-a", app);

        var result = await fixture.Aka.RunAsync("config", "-a", app);

        Assert.Equal(
            $"=== {app} Config Vars\n" +
            "A:            1\n" +
            "DATABASE_URL: postgres://db\n" +
            "ZED:          last\n",
            result.Out);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Config_Shell_PrintsKeyEqualsValueLines()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Aka.RunAsync("config:set", "B=2", "A=1", "-a", app);

        var result = await fixture.Aka.RunAsync("config", "--shell", "-a", app);

        Assert.Equal("A=1\nB=2\n", result.Out);
    }

    [Fact]
    public async Task Config_NoVars_PrintsHeadingOnly()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;

        var result = await fixture.Aka.RunAsync("config", "-a", app);

        Assert.Equal($"=== {app} Config Vars\n", result.Out);
    }

    [Fact]
    public async Task Config_Json_PrintsTheApiObject()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.SetConfigAsync(app, new Dictionary<string, string> { ["FOO"] = "1" });

        var result = await fixture.Aka.RunAsync("config", "-a", app, "--json");

        Assert.Equal("{\n  \"FOO\": \"1\"\n}\n", result.Out);
    }

    [Fact]
    public async Task ConfigGet_SetVar_PrintsItsValue()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.SetConfigAsync(app, new Dictionary<string, string> { ["FOO"] = "bar baz" });

        var result = await fixture.Aka.RunAsync("config:get", "FOO", "-a", app);

        Assert.Equal("bar baz\n", result.Out);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task ConfigGet_UnsetVar_PrintsAnEmptyLine()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;

        var result = await fixture.Aka.RunAsync("config:get", "FOO", "-a", app);

        Assert.Equal("\n", result.Out);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task ConfigGet_UnknownApp_FailsWithTheServerMessage()
    {
        var result = await fixture.Aka.RunAsync("config:get", "FOO", "-a", "x");

        Assert.Equal("! App 'x' not found.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }
}
