using System.Text.Json;

namespace Slipway.Cli.Tests.Commands;

public sealed class AppsCommandsTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task AppsCreate_InSpace_PrintsTheKey()
    {
        var space = await fixture.Api.CreateSpaceAsync(SlipwayApi.Unique("space"));
        var name = SlipwayApi.Unique("web");

        var result = await fixture.Aka.RunAsync("apps:create", name, "-s", space.Name);

        var app = await fixture.Api.GetAppAsync($"{name}-{space.Name}");
        Assert.Equal($"Creating app {name}-{space.Name} ... ✓\n{app.WebUrl} | {fixture.Server.BaseAddress.ToString().TrimEnd('/')}/git/{name}-{space.Name}.git\n", result.Out);
        Assert.Equal("", result.Error);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(space.Name, app.Space.Name);
    }

    [Fact]
    public async Task AppsCreate_InUnknownSpace_FailsWithTheServerMessage()
    {
        var result = await fixture.Aka.RunAsync("apps:create", "web", "-s", "nowhere");

        Assert.Equal("", result.Out);
        Assert.Equal("! Space 'nowhere' not found.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task AppsCreate_WithoutSpace_IsAParseError()
    {
        var result = await fixture.Aka.RunAsync("apps:create", "web");

        Assert.Equal("", result.Out);
        Assert.Equal("! Option '--space' is required.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task Apps_WithSpace_ListsOnlyThatSpacesApps()
    {
        var space = await fixture.Api.CreateSpaceAsync(SlipwayApi.Unique("space"));
        await fixture.Aka.RunAsync("apps:create", "api", "-s", space.Name);
        await fixture.Aka.RunAsync("apps:create", "web", "-s", space.Name);
        var elsewhere = (await fixture.Api.CreateAppAsync()).Name;

        var filtered = await fixture.Aka.RunAsync("apps", "-s", space.Name);
        var all = await fixture.Aka.RunAsync("apps");

        Assert.Equal($"⬢ api-{space.Name}\n⬢ web-{space.Name}\n", filtered.Out);
        Assert.Contains($"⬢ {elsewhere}\n", all.Out);
        Assert.Contains($"⬢ web-{space.Name}\n", all.Out);
    }

    [Fact]
    public async Task Apps_Json_PrintsTheApiObjectsOfTheSpace()
    {
        var space = await fixture.Api.CreateSpaceAsync(SlipwayApi.Unique("space"));
        await fixture.Aka.RunAsync("apps:create", "api", "-s", space.Name);

        var result = await fixture.Aka.RunAsync("apps", "-s", space.Name, "--json");

        using var json = JsonDocument.Parse(result.Out);
        var app = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal($"api-{space.Name}", app.GetProperty("name").GetString());
        Assert.Equal(space.Name, app.GetProperty("space").GetProperty("name").GetString());
    }

    [Fact]
    public async Task AppsInfo_NewApp_PrintsAlignedFieldsWithoutRelease()
    {
        var key = (await fixture.Api.CreateAppAsync()).Name;
        var app = await fixture.Api.GetAppAsync(key);

        var result = await fixture.Aka.RunAsync("apps:info", "-a", key);

        Assert.Equal($"http://{key}.localhost:{fixture.Server.RouterPort}", app.WebUrl);
        Assert.Equal(
            $"=== {key}\n" +
            $"Id:      {app.Id}\n" +
            $"Space:   {app.Space.Name}\n" +
            "Release: none\n" +
            $"Web URL: {app.WebUrl}\n" +
            $"Git URL: {app.GitUrl}\n" +
            $"Created: {app.CreatedAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}\n",
            result.Out);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task AppsInfo_ById_ShowsTheCurrentRelease()
    {
        var key = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.SetConfigAsync(key, new Dictionary<string, string> { ["FOO"] = "1" });
        await fixture.Api.SetConfigAsync(key, new Dictionary<string, string> { ["FOO"] = "2" });
        var app = await fixture.Api.GetAppAsync(key);

        var result = await fixture.Aka.RunAsync("apps:info", "-a", app.Id.ToString());

        Assert.StartsWith($"=== {key}\n", result.Out);
        Assert.Contains("\nRelease: v2\n", result.Out);
    }

    [Fact]
    public async Task AppsInfo_Json_PrintsTheApiObject()
    {
        var key = (await fixture.Api.CreateAppAsync()).Name;

        var result = await fixture.Aka.RunAsync("apps:info", "-a", key, "--json");

        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(key, json.RootElement.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("current_version").ValueKind);
    }

    [Fact]
    public async Task AppsInfo_UnknownApp_FailsWithTheServerMessage()
    {
        var result = await fixture.Aka.RunAsync("apps:info", "-a", "x");

        Assert.Equal("", result.Out);
        Assert.Equal("! App 'x' not found.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task AppsInfo_WithoutApp_IsAParseError()
    {
        var result = await fixture.Aka.RunAsync("apps:info");

        Assert.Equal("! Option '--app' is required.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task AppsDestroy_WithoutConfirm_IsRefusedAndKeepsTheApp()
    {
        var key = (await fixture.Api.CreateAppAsync()).Name;

        var result = await fixture.Aka.RunAsync("apps:destroy", "-a", key);

        Assert.Equal("", result.Out);
        Assert.Equal($"! To destroy {key}, re-run with --confirm {key}\n", result.Error);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(key, (await fixture.Api.GetAppAsync(key)).Name);
    }

    [Fact]
    public async Task AppsDestroy_WithWrongConfirm_IsRefusedAndKeepsTheApp()
    {
        var key = (await fixture.Api.CreateAppAsync()).Name;

        var result = await fixture.Aka.RunAsync("apps:destroy", "-a", key, "--confirm", "other-app");

        Assert.Equal($"! To destroy {key}, re-run with --confirm {key}\n", result.Error);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(key, (await fixture.Api.GetAppAsync(key)).Name);
    }

    [Fact]
    public async Task AppsDestroy_WithConfirm_DestroysTheApp()
    {
        var key = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.DeploySlugAsync(key);

        var result = await fixture.Aka.RunAsync("apps:destroy", "-a", key, "--confirm", key);
        var after = await fixture.Aka.RunAsync("apps:info", "-a", key);

        Assert.Equal($"Destroying {key} ... ✓\n", result.Out);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"! App '{key}' not found.\n", after.Error);
        Assert.Equal(1, after.ExitCode);
    }

    [Fact]
    public async Task AppsDestroy_UnknownApp_FailsWithTheServerMessage()
    {
        var result = await fixture.Aka.RunAsync("apps:destroy", "-a", "x", "--confirm", "x");

        Assert.Equal("! App 'x' not found.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task UnknownCommand_IsAParseError()
    {
        var result = await fixture.Aka.RunAsync("apps:frobnicate");

        Assert.Equal("! Unrecognized command or argument 'apps:frobnicate'.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }
}
