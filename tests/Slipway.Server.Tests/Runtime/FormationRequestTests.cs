using System.Net;
using System.Net.Http.Json;
using System.Text;
using Slipway.Contracts;

namespace Slipway.Server.Tests.Runtime;

/// <summary>
/// The forms <c>PATCH /apps/{app}/formation</c> takes: Heroku's batch with quantities as numbers or
/// strings (<c>"2"</c>, <c>"+1"</c>, <c>"-1"</c>, as <c>heroku ps:scale</c> sends them), Akkeris's bare
/// array, and what is refused (with nothing changed).
/// </summary>
public sealed class FormationRequestTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private readonly SlipwayApi _api = fixture.Api;

    [Fact]
    public async Task Patch_QuantityAsStringOrRelative_ScalesFromTheQuantityNow()
    {
        var app = await DeployedAppAsync();

        var absolute = await PatchAsync(app, """{"updates": [{"type": "web", "quantity": "3", "size": "Standard"}]}""");
        var down = await PatchAsync(app, """{"updates": [{"type": "web", "quantity": "-1"}, {"type": "web", "quantity": "-1"}]}""");
        var floor = await PatchAsync(app, """[{"type": "web", "quantity": "-5"}]""");
        var up = await PatchAsync(app, """{"updates": [{"type": "web", "quantity": "+2"}]}""");

        Assert.Equal(3, await QuantityAsync(absolute));
        Assert.Equal(1, await QuantityAsync(down));
        Assert.Equal(0, await QuantityAsync(floor));
        Assert.Equal(2, await QuantityAsync(up));
        Assert.Equal(2, Assert.Single(await _api.GetFormationAsync(app)).Quantity);
    }

    [Theory]
    [InlineData("""{"updates": [{"type": "web", "quantity": "two"}]}""", 400, "'quantity' must be a whole number, or a string such as \\\"2\\\", \\\"+1\\\" or \\\"-1\\\".")]
    [InlineData("""{"updates": [{"type": "web", "quantity": 1.5}]}""", 400, "'quantity' must be a whole number")]
    [InlineData("""{"updates": [{"type": "web", "quantity": "+25"}]}""", 422, "The quantity of web must be between 0 and 20 (web+25 would make 26).")]
    [InlineData("""{"updates": [{"type": "web", "quantity": -1}]}""", 422, "The quantity of web must be between 0 and 20.")]
    [InlineData("""{"updates": [null]}""", 422, "Every update must be an object")]
    [InlineData("""[{"type": "web", "quantity": 2}, {"type": "web", "quantity": 2, "size": "performance-l"}]""", 422, "there is no size 'performance-l'")]
    [InlineData("\"web=2\"", 400, "The request body is not valid JSON for this route")]
    [InlineData("null", 400, "The body must be {\\\"updates\\\": [...]} or an array of updates.")]
    public async Task Patch_BadInput_IsRefusedAndChangesNothing(string body, int status, string message)
    {
        var app = await DeployedAppAsync();

        using var response = await PatchAsync(app, body);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, Assert.Single(await _api.GetFormationAsync(app)).Quantity);
    }

    [Fact]
    public async Task RestartFormationsType_UnknownType_Is404()
    {
        var app = await DeployedAppAsync();

        using var unknown = await _api.Http.DeleteAsync($"/apps/{app}/formations/worker");
        using var web = await _api.Http.DeleteAsync($"/apps/{app}/formations/web");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, web.StatusCode);
    }

    private async Task<string> DeployedAppAsync()
    {
        var app = (await _api.CreateAppAsync()).Name;
        await _api.DeploySlugAsync(app);
        return app;
    }

    private Task<HttpResponseMessage> PatchAsync(string app, string json) =>
        _api.Http.PatchAsync($"/apps/{app}/formation", new StringContent(json, Encoding.UTF8, "application/json"));

    private static async Task<int> QuantityAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return Assert.Single((await response.Content.ReadFromJsonAsync<List<FormationResponse>>(SlipwayJson.Options))!).Quantity;
    }
}
