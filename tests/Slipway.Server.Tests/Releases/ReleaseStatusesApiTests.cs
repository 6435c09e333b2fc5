using System.Net;
using System.Net.Http.Json;
using Slipway.Contracts;

namespace Slipway.Server.Tests.Releases;

/// <summary>Release statuses (Akkeris): outside checks post them on a release, one per context; the release carries their combined state.</summary>
public abstract class ReleaseStatusesApiTests(SlipwayServerFixture fixture)
{
    private readonly SlipwayApi _api = fixture.Api;

    [Fact]
    public async Task Post_ThenListGetAndRelease_ShowTheStatusAndTheCombinedState()
    {
        var (app, release) = await ReleaseAsync();

        var created = await SlipwayApi.ReadAsync<ReleaseStatusResponse>(
            await PostAsync(app, release.Id, new { state = "pending", context = "ci/circle-ci+v2.0", name = "CircleCI", description = "Running", target_url = "https://ci.example.com/1", image_url = "http://ci.example.com/icon.png" }),
            HttpStatusCode.Created);
        var list = await ListAsync(app, release.Id.ToString());
        var one = await SlipwayApi.ReadAsync<ReleaseStatusResponse>(await _api.Http.GetAsync($"/apps/{app}/releases/{release.Id}/statuses/{created.Id}"), HttpStatusCode.OK);

        Assert.Equal(
            ("pending", "ci/circle-ci+v2.0", "CircleCI", "Running", "https://ci.example.com/1", "http://ci.example.com/icon.png", release.Id, 1),
            (created.State, created.Context, created.Name, created.Description, created.TargetUrl, created.ImageUrl, created.Release.Id, created.Release.Version));
        Assert.Equal(("pending", release.Id), (list.State, list.Release.Id));
        Assert.Equal(Untimed(created), Untimed(Assert.Single(list.Statuses)));
        Assert.Equal(Untimed(created), Untimed(one));
        Assert.Equal("pending", (await _api.GetReleaseAsync(app, 1)).State);
        Assert.Equal("pending", Assert.Single(await _api.ListReleasesAsync(app)).State);
    }

    [Theory]
    [InlineData(new string[0], "success")]
    [InlineData(new[] { "success", "success" }, "success")]
    [InlineData(new[] { "success", "pending" }, "pending")]
    [InlineData(new[] { "pending", "failure", "success" }, "failure")]
    [InlineData(new[] { "failure", "error", "pending" }, "error")]
    public async Task CombinedState_IsErrorThenFailureThenPendingElseSuccess(string[] states, string combined)
    {
        var (app, release) = await ReleaseAsync();
        for (var i = 0; i < states.Length; i++)
        {
            await SlipwayApi.ReadAsync<ReleaseStatusResponse>(await PostAsync(app, release.Id, new { state = states[i], context = $"check/{i}" }), HttpStatusCode.Created);
        }

        Assert.Equal(combined, (await ListAsync(app, "v1")).State);
        Assert.Equal(combined, (await _api.GetReleaseAsync(app, 1)).State);
    }

    [Fact]
    public async Task Patch_ChangesStateAndTexts_LeavesOutTheRest_AndNeverTheContext()
    {
        var (app, release) = await ReleaseAsync();
        var created = await SlipwayApi.ReadAsync<ReleaseStatusResponse>(
            await PostAsync(app, release.Id, new { state = "pending", context = "tests/smoke", name = "Smoke", description = "Running", target_url = "https://ci.example.com/1" }),
            HttpStatusCode.Created);
        var path = $"/apps/{app}/releases/{release.Id}/statuses/{created.Id}";

        var updated = await SlipwayApi.ReadAsync<ReleaseStatusResponse>(await _api.Http.PatchAsJsonAsync(path, new { state = "success", description = "", target_url = "https://ci.example.com/2" }), HttpStatusCode.OK);
        var renamed = await _api.Http.PatchAsJsonAsync(path, new { context = "tests/other" });
        var badState = await _api.Http.PatchAsJsonAsync(path, new { state = "done" });

        Assert.Equal(("success", "tests/smoke", "Smoke", null, "https://ci.example.com/2"), (updated.State, updated.Context, updated.Name, updated.Description, updated.TargetUrl));
        Assert.Contains("context of a status cannot change", await SlipwayApi.ProblemAsync(renamed, HttpStatusCode.UnprocessableEntity));
        Assert.Contains("'done' is not a state", await SlipwayApi.ProblemAsync(badState, HttpStatusCode.UnprocessableEntity));
        Assert.Equal(Untimed(updated), Untimed(Assert.Single((await ListAsync(app, "1")).Statuses)));
        Assert.Equal("success", (await _api.GetReleaseAsync(app, 1)).State);
    }

    [Theory]
    [InlineData("""{"context":"ci/x"}""", "state is required")]
    [InlineData("""{"state":"ok","context":"ci/x"}""", "'ok' is not a state")]
    [InlineData("""{"state":"Success","context":"ci/x"}""", "'Success' is not a state")]
    [InlineData("""{"state":"success"}""", "context is required")]
    [InlineData("""{"state":"success","context":"ci x"}""", "context 'ci x' is not valid")]
    [InlineData("""{"state":"success","context":"ci_x"}""", "context 'ci_x' is not valid")]
    [InlineData("""{"state":"success","context":"ci/x","target_url":"ftp://example.com/"}""", "target_url must be an http or https URL")]
    [InlineData("""{"state":"success","context":"ci/x","image_url":"not a url"}""", "image_url must be an http or https URL")]
    public async Task Post_Invalid_Is422AndStoresNothing(string body, string message)
    {
        var (app, release) = await ReleaseAsync();

        var response = await _api.Http.PostAsync($"/apps/{app}/releases/{release.Id}/statuses", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Contains(message, await SlipwayApi.ProblemAsync(response, HttpStatusCode.UnprocessableEntity));
        Assert.Empty((await ListAsync(app, "v1")).Statuses);
    }

    [Fact]
    public async Task Post_TooLongDescription_Is422_AndTheLimitIsAccepted()
    {
        var (app, release) = await ReleaseAsync();

        var tooLong = await PostAsync(app, release.Id, new { state = "success", context = "a", description = new string('x', 1025) });
        var longest = await PostAsync(app, release.Id, new { state = "success", context = "b", description = new string('x', 1024) });

        Assert.Contains("description is longer than 1024", await SlipwayApi.ProblemAsync(tooLong, HttpStatusCode.UnprocessableEntity));
        Assert.Equal(1024, (await SlipwayApi.ReadAsync<ReleaseStatusResponse>(longest, HttpStatusCode.Created)).Description?.Length);
    }

    [Fact]
    public async Task Post_ContextTheReleaseHasAlready_Is409()
    {
        var (app, release) = await ReleaseAsync();
        await SlipwayApi.ReadAsync<ReleaseStatusResponse>(await PostAsync(app, release.Id, new { state = "pending", context = "ci/x" }), HttpStatusCode.Created);

        var again = await PostAsync(app, release.Id, new { state = "success", context = "ci/x" });

        Assert.Contains("already has a status for 'ci/x'", await SlipwayApi.ProblemAsync(again, HttpStatusCode.Conflict));
        Assert.Equal("pending", Assert.Single((await ListAsync(app, "v1")).Statuses).State);
    }

    [Fact]
    public async Task UnknownReleaseOrStatus_Is404()
    {
        var (app, release) = await ReleaseAsync();

        await SlipwayApi.ProblemAsync(await _api.Http.GetAsync($"/apps/{app}/releases/v9/statuses"), HttpStatusCode.NotFound);
        await SlipwayApi.ProblemAsync(await PostAsync(app, Guid.NewGuid(), new { state = "success", context = "ci/x" }), HttpStatusCode.NotFound);
        await SlipwayApi.ProblemAsync(await _api.Http.GetAsync($"/apps/{app}/releases/{release.Id}/statuses/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        await SlipwayApi.ProblemAsync(await _api.Http.PatchAsJsonAsync($"/apps/{app}/releases/{release.Id}/statuses/nope", new { state = "success" }), HttpStatusCode.NotFound);
    }

    /// <summary>A status without its times, which the database may keep more coarsely than the answer that made it.</summary>
    private static ReleaseStatusResponse Untimed(ReleaseStatusResponse status) => status with { CreatedAt = default, UpdatedAt = default };

    private async Task<(string App, ReleaseResponse Release)> ReleaseAsync()
    {
        var app = (await _api.CreateAppAsync()).Name;
        return (app, await _api.SetConfigAsync(app, new { A = "1" }));
    }

    private Task<HttpResponseMessage> PostAsync(string app, Guid release, object body) =>
        _api.Http.PostAsJsonAsync($"/apps/{app}/releases/{release}/statuses", body, SlipwayJson.Options);

    private async Task<ReleaseStatusListResponse> ListAsync(string app, string release) =>
        await SlipwayApi.ReadAsync<ReleaseStatusListResponse>(await _api.Http.GetAsync($"/apps/{app}/releases/{release}/statuses"), HttpStatusCode.OK);
}

public sealed class SqliteReleaseStatusesApiTests(SqliteServerFixture fixture) : ReleaseStatusesApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class PostgresReleaseStatusesApiTests(PostgresServerFixture fixture) : ReleaseStatusesApiTests(fixture), IClassFixture<PostgresServerFixture>;
