using System.Net;
using System.Net.Http.Json;
using Slipway.Contracts;

namespace Slipway.Server.Tests.Features;

/// <summary>Per-app features in Akkeris's shape: <c>auto-release</c>, on by default, decides whether a succeeded build releases by itself.</summary>
public sealed class FeaturesApiTests(SqliteServerFixture fixture, ArchiveServer archives) : IClassFixture<SqliteServerFixture>, IClassFixture<ArchiveServer>
{
    private readonly SlipwayApi _api = fixture.Api;

    [Fact]
    public async Task List_HasAutoReleaseOnByDefault_InAkkerisShape()
    {
        var app = (await _api.CreateAppAsync()).Name;

        var features = await SlipwayApi.ReadAsync<List<FeatureResponse>>(await _api.Http.GetAsync($"/apps/{app}/features"), HttpStatusCode.OK);
        var one = await SlipwayApi.ReadAsync<FeatureResponse>(await _api.Http.GetAsync($"/apps/{app}/features/auto-release"), HttpStatusCode.OK);

        var feature = Assert.Single(features);
        Assert.Equal(("auto-release", "Auto release builds", "public", true), (feature.Name, feature.DisplayName, feature.State, feature.Enabled));
        Assert.Equal($"/apps/{app}/features/auto-release", feature.DocUrl);
        Assert.False(string.IsNullOrEmpty(feature.Description));
        Assert.Equal(feature, one);
    }

    [Fact]
    public async Task Patch_SwitchesOffAndOn_PerApp()
    {
        var app = (await _api.CreateAppAsync()).Name;
        var other = (await _api.CreateAppAsync()).Name;

        var off = await SlipwayApi.ReadAsync<FeatureResponse>(await _api.Http.PatchAsJsonAsync($"/apps/{app}/features/auto-release", new { enabled = false }), HttpStatusCode.OK);
        var read = await SlipwayApi.ReadAsync<FeatureResponse>(await _api.Http.GetAsync($"/apps/{app}/features/auto-release"), HttpStatusCode.OK);
        var elsewhere = await SlipwayApi.ReadAsync<FeatureResponse>(await _api.Http.GetAsync($"/apps/{other}/features/auto-release"), HttpStatusCode.OK);
        var on = await SlipwayApi.ReadAsync<FeatureResponse>(await _api.Http.PatchAsJsonAsync($"/apps/{app}/features/auto-release", new { enabled = true }), HttpStatusCode.OK);

        Assert.False(off.Enabled);
        Assert.False(read.Enabled);
        Assert.True(elsewhere.Enabled);
        Assert.True(on.Enabled);
    }

    [Fact]
    public async Task Patch_Invalid_IsRefusedAndChangesNothing()
    {
        var app = (await _api.CreateAppAsync()).Name;

        var missing = await _api.Http.PatchAsJsonAsync($"/apps/{app}/features/auto-release", new { });
        var notBool = await _api.Http.PatchAsync($"/apps/{app}/features/auto-release", new StringContent("""{"enabled":"false"}""", System.Text.Encoding.UTF8, "application/json"));
        var unknown = await _api.Http.PatchAsJsonAsync($"/apps/{app}/features/preview", new { enabled = true });

        Assert.Contains("enabled is required", await SlipwayApi.ProblemAsync(missing, HttpStatusCode.UnprocessableEntity));
        await SlipwayApi.ProblemAsync(notBool, HttpStatusCode.BadRequest);
        Assert.Contains("Feature 'preview' not found", await SlipwayApi.ProblemAsync(unknown, HttpStatusCode.NotFound));
        Assert.True((await SlipwayApi.ReadAsync<FeatureResponse>(await _api.Http.GetAsync($"/apps/{app}/features/auto-release"), HttpStatusCode.OK)).Enabled);
    }

    [Fact]
    public async Task AutoReleaseOff_BuildStopsAtSucceeded_UnlessItSaysDeploy_ThenAPostedReleaseIsTheBuilds()
    {
        var app = (await _api.CreateAppAsync()).Name;
        await _api.Http.PatchAsJsonAsync($"/apps/{app}/features/auto-release", new { enabled = false });
        var source = archives.Serve(Archives.TarGz([new ArchiveFile("Procfile", $"web: {SlipwayApi.StaticWeb}\n"), new ArchiveFile("v.txt", SlipwayApi.Unique())]));

        var (stopped, _) = await _api.WaitForBuildAsync(await _api.StartBuildAsync(app, new { url = source }));
        var (deployed, _) = await _api.WaitForBuildAsync(await _api.StartBuildAsync(app, new { url = source, deploy = true }));

        Assert.Equal(("succeeded", null), (stopped.Status, stopped.Release));
        Assert.False(stopped.Deploy);
        Assert.Equal(1, deployed.Release?.Version);
        var posted = await _api.CreateReleaseAsync(app, new { slug = stopped.Id.ToString() });
        Assert.Equal((2, $"Deploy {stopped.Id.ToString("N")[..8]}", stopped.Id), (posted.Version, posted.Description, posted.Slug.Id));
        Assert.Equal(2, (await _api.GetBuildAsync(app, stopped.Id.ToString())).Release?.Version);
        var again = await _api.PostReleaseAsync(app, new { slug = stopped.Id.ToString() });
        Assert.Equal(posted.Id, (await SlipwayApi.ReadAsync<ReleaseResponse>(again, HttpStatusCode.OK)).Id);
        Assert.Equal(2, (await _api.ListReleasesAsync(app)).Count);
    }
}
