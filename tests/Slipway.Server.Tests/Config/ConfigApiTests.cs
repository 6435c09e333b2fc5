using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace Slipway.Server.Tests.Config;

public abstract class ConfigApiTests(SlipwayServerFixture fixture)
{
    private readonly SlipwayApi _api = fixture.Api;

    [Fact]
    public async Task Patch_SetsKeys_MakesOneReleaseNamingThem()
    {
        var app = await _api.CreateAppAsync();

        var release = await _api.SetConfigAsync(app.Name, new { FOO = "1", BAR = "2" });

        Assert.Equal(1, release.Version);
        Assert.Equal("Set FOO, BAR config vars", release.Description);
        Assert.Equal(["BAR", "FOO"], release.ConfigVarNames);
        Assert.Equal(new Dictionary<string, string> { ["FOO"] = "1", ["BAR"] = "2" }, await _api.GetConfigAsync(app.Name));
    }

    [Fact]
    public async Task Patch_NullValue_RemovesKey()
    {
        var app = await _api.CreateAppAsync();
        await _api.SetConfigAsync(app.Name, new { FOO = "1", BAR = "2" });

        var release = await _api.SetConfigAsync(app.Name, new Dictionary<string, string?> { ["FOO"] = null });

        Assert.Equal("Remove FOO config vars", release.Description);
        Assert.Equal(new Dictionary<string, string> { ["BAR"] = "2" }, await _api.GetConfigAsync(app.Name));
    }

    [Fact]
    public async Task Patch_SetAndRemove_DescribesBoth()
    {
        var app = await _api.CreateAppAsync();
        await _api.SetConfigAsync(app.Name, new { OLD = "x" });

        var release = await _api.SetConfigAsync(app.Name, new Dictionary<string, string?> { ["NEW"] = "y", ["OLD"] = null });

        Assert.Equal("Set NEW config vars; Remove OLD config vars", release.Description);
    }

    [Fact]
    public async Task Patch_ChangingNothing_MakesNoReleaseAndSaysSo()
    {
        var app = await _api.CreateAppAsync();
        await _api.SetConfigAsync(app.Name, new { FOO = "1" });

        var same = await _api.PatchConfigAsync(app.Name, new Dictionary<string, string?> { ["FOO"] = "1", ["GONE"] = null });

        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        Assert.Equal("none", same.Headers.GetValues("Slipway-Release").Single());
        Assert.Single(await _api.ListReleasesAsync(app.Name));
    }

    [Theory]
    [InlineData("1ABC")]
    [InlineData("WITH-DASH")]
    [InlineData("WITH SPACE")]
    [InlineData("")]
    [InlineData("ÜBER")]
    public async Task Patch_BadKey_Is422AndNothingChanges(string key)
    {
        var app = await _api.CreateAppAsync();

        var response = await _api.PatchConfigAsync(app.Name, new Dictionary<string, string?> { ["GOOD"] = "1", [key] = "v" });

        Assert.Contains("is not valid", await SlipwayApi.ProblemAsync(response, HttpStatusCode.UnprocessableEntity));
        Assert.Empty(await _api.ListReleasesAsync(app.Name));
    }

    [Fact]
    public async Task Patch_ValueOf32KiB_IsAcceptedAndOneByteMoreIsNot()
    {
        var app = await _api.CreateAppAsync();
        var limit = new string('x', 32 * 1024);

        var ok = await _api.PatchConfigAsync(app.Name, new { BIG = limit });
        var tooBig = await _api.PatchConfigAsync(app.Name, new { BIG = limit + "y" });

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var message = await SlipwayApi.ProblemAsync(tooBig, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("BIG", message);
        Assert.DoesNotContain("xxxx", message);
        Assert.Single(await _api.ListReleasesAsync(app.Name));
    }

    [Theory]
    [InlineData("{\"FOO\": ")]
    [InlineData("{\"FOO\": 12}")]
    [InlineData("[\"FOO\"]")]
    [InlineData("not json")]
    public async Task Patch_BadJson_Is400AndNothingChanges(string body)
    {
        var app = await _api.CreateAppAsync();

        var response = await _api.Http.PatchAsync($"/apps/{app.Name}/config-vars", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Contains("JSON", await SlipwayApi.ProblemAsync(response, HttpStatusCode.BadRequest));
        Assert.Empty(await _api.ListReleasesAsync(app.Name));
    }

    [Fact]
    public async Task Patch_KeepsCurrentSlug()
    {
        var app = await _api.CreateAppAsync();
        var slug = await _api.CreateSlugAsync(app.Name);
        await _api.DeployAsync(app.Name, slug.Id);

        var release = await _api.SetConfigAsync(app.Name, new { FOO = "1" });

        Assert.Equal(slug.Id, release.Slug?.Id);
    }

    [Fact]
    public async Task ReleaseConfigVars_ShowValuesOfThatRelease()
    {
        var app = await _api.CreateAppAsync();
        await _api.SetConfigAsync(app.Name, new { FOO = "first" });
        await _api.SetConfigAsync(app.Name, new { FOO = "second" });

        var v1 = await _api.Http.GetFromJsonAsync<Dictionary<string, string>>($"/apps/{app.Name}/releases/v1/config-vars");

        Assert.Equal("first", v1!["FOO"]);
    }
}

public sealed class SqliteConfigApiTests(SqliteServerFixture fixture) : ConfigApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class PostgresConfigApiTests(PostgresServerFixture fixture) : ConfigApiTests(fixture), IClassFixture<PostgresServerFixture>;
