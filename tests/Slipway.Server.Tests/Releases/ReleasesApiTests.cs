using System.Net;
using Slipway.Contracts;

namespace Slipway.Server.Tests.Releases;

public abstract class ReleasesApiTests(SlipwayServerFixture fixture)
{
    private readonly SlipwayApi _api = fixture.Api;

    [Fact]
    public async Task DeploySlug_MakesReleaseNamedAfterSlug()
    {
        var app = await _api.CreateAppAsync();
        var slug = await _api.CreateSlugAsync(app.Name, commit: "ef5c71a0c2d1e5f4a3b2c1d0e9f8a7b6c5d4e3f2", message: "Another commit\nwith a body");

        var release = await _api.DeployAsync(app.Name, slug.Id);

        Assert.Equal(1, release.Version);
        Assert.Equal($"Deploy {slug.Id.ToString("N")[..8]}", release.Description);
        Assert.Equal("succeeded", release.Status);
        Assert.True(release.Current);
        Assert.Equal(slug.Id, release.Slug?.Id);
        Assert.Equal(app.Name, release.App.Name);
        Assert.Equal("admin@slipway.local", release.User.Email);
        Assert.Equal("ef5c71a0c2d1e5f4a3b2c1d0e9f8a7b6c5d4e3f2", release.Source?.Commit);
        Assert.Equal("Another commit\nwith a body", release.Source?.Message);
    }

    [Fact]
    public async Task Rollback_CopiesSlugAndConfigOfTarget()
    {
        var app = await _api.CreateAppAsync();
        var first = await _api.CreateSlugAsync(app.Name);
        var second = await _api.CreateSlugAsync(app.Name);
        await _api.SetConfigAsync(app.Name, new { COLOR = "blue" });
        var v2 = await _api.DeployAsync(app.Name, first.Id);
        await _api.SetConfigAsync(app.Name, new { COLOR = "red", EXTRA = "1" });
        await _api.DeployAsync(app.Name, second.Id);

        var rollback = await _api.RollbackAsync(app.Name, "v2");

        Assert.Equal(5, rollback.Version);
        Assert.Equal("Rollback to v2", rollback.Description);
        Assert.Equal(2, rollback.RollbackOf);
        Assert.Equal(first.Id, rollback.Slug?.Id);
        Assert.True(rollback.Current);
        Assert.Equal(new Dictionary<string, string> { ["COLOR"] = "blue" }, await _api.GetConfigAsync(app.Name));
        Assert.Equal(v2.ConfigVarNames, rollback.ConfigVarNames);
    }

    [Fact]
    public async Task Rollback_AcceptsIdNumberAndVPrefixedVersion()
    {
        var app = await _api.CreateAppAsync();
        var v1 = await _api.DeployAsync(app.Name, (await _api.CreateSlugAsync(app.Name)).Id);
        await _api.DeployAsync(app.Name, (await _api.CreateSlugAsync(app.Name)).Id);

        var byNumber = await _api.RollbackAsync(app.Name, 1);
        await _api.DeployAsync(app.Name, (await _api.CreateSlugAsync(app.Name)).Id);
        var byId = await _api.RollbackAsync(app.Name, v1.Id.ToString());

        Assert.Equal(1, byNumber.RollbackOf);
        Assert.Equal(1, byId.RollbackOf);
    }

    [Fact]
    public async Task Rollback_ToFailedRelease_IsRefusedAndNothingCreated()
    {
        var app = await _api.CreateAppAsync();
        await _api.DeployAsync(app.Name, (await _api.CreateSlugAsync(app.Name)).Id);
        var failing = await _api.DeployAsync(app.Name, (await _api.CreateSlugAsync(app.Name, processTypes: new() { ["web"] = "exit 3" })).Id);
        Assert.Equal("failed", failing.Status);

        var response = await _api.PostReleaseAsync(app.Name, new { release = "v2" });

        Assert.Contains("v2 failed", await SlipwayApi.ProblemAsync(response, HttpStatusCode.UnprocessableEntity));
        Assert.Equal(2, (await _api.ListReleasesAsync(app.Name)).Count);
        var shown = await _api.GetReleaseAsync(app.Name, "v2");
        Assert.False(shown.EligibleForRollback);
        Assert.Contains("web.1", shown.FailureReason);
    }

    [Fact]
    public async Task Rollback_ToSluglessRelease_IsRefused()
    {
        var app = await _api.CreateAppAsync();
        await _api.SetConfigAsync(app.Name, new { FOO = "1" });
        await _api.DeployAsync(app.Name, (await _api.CreateSlugAsync(app.Name)).Id);

        var response = await _api.PostReleaseAsync(app.Name, new { release = 1 });

        Assert.Contains("no slug", await SlipwayApi.ProblemAsync(response, HttpStatusCode.UnprocessableEntity));
        Assert.Equal(2, (await _api.ListReleasesAsync(app.Name)).Count);
    }

    [Theory]
    [InlineData("v99")]
    [InlineData("99")]
    [InlineData("vx")]
    [InlineData("0bd31f0c-6e2f-4f0b-8d1e-2b6f0d3c9a11")]
    public async Task Rollback_ToMissingRelease_Is404(string target)
    {
        var app = await _api.CreateAppAsync();
        await _api.DeployAsync(app.Name, (await _api.CreateSlugAsync(app.Name)).Id);

        var response = await _api.PostReleaseAsync(app.Name, new { release = target });

        Assert.Contains("not found", await SlipwayApi.ProblemAsync(response, HttpStatusCode.NotFound));
        Assert.Single(await _api.ListReleasesAsync(app.Name));
    }

    [Fact]
    public async Task Rollback_ToCurrentRelease_IsRefused()
    {
        var app = await _api.CreateAppAsync();
        await _api.DeployAsync(app.Name, (await _api.CreateSlugAsync(app.Name)).Id);

        var response = await _api.PostReleaseAsync(app.Name, new { release = "v1" });

        Assert.Contains("current release", await SlipwayApi.ProblemAsync(response, HttpStatusCode.UnprocessableEntity));
    }

    [Fact]
    public async Task RollbackPrevious_AfterRollbackOfRollback_PicksReleaseBeforeCurrent()
    {
        var app = await _api.CreateAppAsync();
        await _api.DeployAsync(app.Name, (await _api.CreateSlugAsync(app.Name)).Id);
        await _api.DeployAsync(app.Name, (await _api.CreateSlugAsync(app.Name)).Id);

        var v3 = await _api.RollbackAsync(app.Name, "previous");
        var v4 = await _api.RollbackAsync(app.Name, "previous");
        var v5 = await _api.RollbackAsync(app.Name, "previous");

        Assert.Equal((3, 1), (v3.Version, v3.RollbackOf));
        Assert.Equal((4, 2), (v4.Version, v4.RollbackOf));
        Assert.Equal((5, 3), (v5.Version, v5.RollbackOf));
        var releases = await _api.ListReleasesAsync(app.Name);
        Assert.Equal(releases[1].Slug?.Id, v4.Slug?.Id);
        Assert.Equal(releases[0].Slug?.Id, v5.Slug?.Id);
        Assert.True(releases[^1].Current);
    }

    [Fact]
    public async Task RollbackPrevious_WithOnlyOneRelease_IsRefused()
    {
        var app = await _api.CreateAppAsync();
        await _api.DeployAsync(app.Name, (await _api.CreateSlugAsync(app.Name)).Id);

        var response = await _api.PostReleaseAsync(app.Name, new { release = "previous" });

        Assert.Contains("no earlier release", await SlipwayApi.ProblemAsync(response, HttpStatusCode.UnprocessableEntity));
    }

    [Fact]
    public async Task Post_WithBothOrNeitherSlugAndRelease_Is422()
    {
        var app = await _api.CreateAppAsync();
        var slug = await _api.CreateSlugAsync(app.Name);

        var neither = await _api.PostReleaseAsync(app.Name, new { });
        var both = await _api.PostReleaseAsync(app.Name, new { slug = slug.Id.ToString(), release = 1 });

        await SlipwayApi.ProblemAsync(neither, HttpStatusCode.UnprocessableEntity);
        await SlipwayApi.ProblemAsync(both, HttpStatusCode.UnprocessableEntity);
        Assert.Empty(await _api.ListReleasesAsync(app.Name));
    }

    [Fact]
    public async Task DeploySlug_NotUploadedOrOfAnotherApp_IsRefused()
    {
        var app = await _api.CreateAppAsync();
        var other = await _api.CreateAppAsync();
        var foreign = await _api.CreateSlugAsync(other.Name);
        var created = await SlipwayApi.ReadAsync<SlugResponse>(
            await _api.Http.PostAsync($"/apps/{app.Name}/slugs", System.Net.Http.Json.JsonContent.Create(new CreateSlugRequest(null, Archives.Checksum([1, 2, 3]), null, null, null), options: SlipwayJson.Options)),
            HttpStatusCode.Created);

        var notUploaded = await _api.PostReleaseAsync(app.Name, new { slug = created.Id.ToString() });
        var ofOther = await _api.PostReleaseAsync(app.Name, new { slug = foreign.Id.ToString() });

        Assert.Contains("no content yet", await SlipwayApi.ProblemAsync(notUploaded, HttpStatusCode.UnprocessableEntity));
        await SlipwayApi.ProblemAsync(ofOther, HttpStatusCode.NotFound);
        Assert.Empty(await _api.ListReleasesAsync(app.Name));
    }

    [Fact]
    public async Task GetRelease_ByIdNumberAndV_FindsSameRelease()
    {
        var app = await _api.CreateAppAsync();
        var made = await _api.SetConfigAsync(app.Name, new { A = "1" });

        var byId = await _api.GetReleaseAsync(app.Name, made.Id.ToString());
        var byNumber = await _api.GetReleaseAsync(app.Name, "1");
        var byV = await _api.GetReleaseAsync(app.Name, "v1");

        Assert.All([byId, byNumber, byV], r => Assert.Equal(made.Id, r.Id));
        await SlipwayApi.ProblemAsync(await _api.Http.GetAsync($"/apps/{app.Name}/releases/v2"), HttpStatusCode.NotFound);
        await SlipwayApi.ProblemAsync(await _api.Http.GetAsync($"/apps/{app.Name}/releases/v-1"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task List_WithRange_PagesAscendingWithNextRange()
    {
        var app = await _api.CreateAppAsync();
        for (var i = 0; i < 5; i++)
        {
            await _api.SetConfigAsync(app.Name, new { N = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        var first = await PageAsync(app.Name, "version ..; max=2");
        var second = await PageAsync(app.Name, first.Next!);
        var third = await PageAsync(app.Name, second.Next!);
        var newest = await PageAsync(app.Name, "version ..; max=2, order=desc");

        Assert.Equal(HttpStatusCode.PartialContent, first.Status);
        Assert.Equal([1, 2], first.Versions);
        Assert.Equal("version ]2..; max=2", first.Next);
        Assert.Equal(HttpStatusCode.PartialContent, second.Status);
        Assert.Equal([3, 4], second.Versions);
        Assert.Equal(HttpStatusCode.OK, third.Status);
        Assert.Equal([5], third.Versions);
        Assert.Null(third.Next);
        Assert.Equal(new[] { 5, 4 }, newest.Versions);
        Assert.Equal(new[] { 3, 2 }, (await PageAsync(app.Name, newest.Next!)).Versions);
        var bad = new HttpRequestMessage(HttpMethod.Get, $"/apps/{app.Name}/releases");
        bad.Headers.TryAddWithoutValidation("Range", "id ..; max=2");
        await SlipwayApi.ProblemAsync(await _api.Http.SendAsync(bad), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Post_WithIdempotencyKey_RetryReturnsFirstRelease()
    {
        var app = await _api.CreateAppAsync();
        var slug = await _api.CreateSlugAsync(app.Name);

        var first = await SlipwayApi.ReadAsync<ReleaseResponse>(await _api.PostReleaseAsync(app.Name, new { slug = slug.Id.ToString() }, "key-1"), HttpStatusCode.Created);
        var retry = await _api.PostReleaseAsync(app.Name, new { slug = slug.Id.ToString() }, "key-1");

        var again = await SlipwayApi.ReadAsync<ReleaseResponse>(retry, HttpStatusCode.Created);
        Assert.Equal(first.Id, again.Id);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Single(await _api.ListReleasesAsync(app.Name));
    }

    [Fact]
    public async Task Post_WithStaleExpectedVersion_Is409AndNothingCreated()
    {
        var app = await _api.CreateAppAsync();
        var slug = await _api.CreateSlugAsync(app.Name);
        await _api.DeployAsync(app.Name, slug.Id);
        await _api.SetConfigAsync(app.Name, new { FOO = "1" });

        var stale = await _api.PostReleaseAsync(app.Name, new { slug = slug.Id.ToString(), expected_current_version = 1 });
        var fresh = await _api.PostReleaseAsync(app.Name, new { slug = slug.Id.ToString(), expected_current_version = 2 });

        Assert.Contains("another release got there first", await SlipwayApi.ProblemAsync(stale, HttpStatusCode.Conflict));
        Assert.Equal(3, (await SlipwayApi.ReadAsync<ReleaseResponse>(fresh, HttpStatusCode.Created)).Version);
    }

    private async Task<(HttpStatusCode Status, int[] Versions, string? Next)> PageAsync(string app, string range)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/apps/{app}/releases");
        request.Headers.TryAddWithoutValidation("Range", range);
        var response = await _api.Http.SendAsync(request);
        var items = await SlipwayApi.ReadAsync<List<ReleaseResponse>>(response, response.StatusCode);
        return (response.StatusCode, items.Select(r => r.Version).ToArray(), response.Headers.TryGetValues("Next-Range", out var next) ? next.Single() : null);
    }
}

public sealed class SqliteReleasesApiTests(SqliteServerFixture fixture) : ReleasesApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class PostgresReleasesApiTests(PostgresServerFixture fixture) : ReleasesApiTests(fixture), IClassFixture<PostgresServerFixture>;
