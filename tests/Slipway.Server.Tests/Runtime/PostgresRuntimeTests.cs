using System.Net;
using Slipway.Contracts;

namespace Slipway.Server.Tests.Runtime;

/// <summary>The runtime's tables (formation settings, release phase output) on PostgreSQL.</summary>
public sealed class PostgresRuntimeTests(PostgresRuntimeServerFixture fixture) : IClassFixture<PostgresRuntimeServerFixture>
{
    [Fact]
    public async Task Deploy_OnPostgres_KeepsFormationAndReleasePhaseOutput()
    {
        await using var app = await fixture.CreateAppAsync();
        var slug = await app.UploadSlugAsync("A", new() { ["web"] = TestSlug.Command(), ["release"] = TestSlug.Command("release-ok") });
        var version = await app.DeploySucceededAsync(slug);

        var scaled = await app.PatchFormationAsync(new FormationPatchRequest([new FormationUpdate("web", 2, "/")], 5));

        Assert.Equal(HttpStatusCode.OK, scaled.StatusCode);
        Assert.Equal([("web", 2, "/", 5)], (await app.FormationAsync()).Select(f => (f.Type, f.Quantity, f.Healthcheck, f.BootTimeout)));
        await Poll.UntilAsync(async () => (await app.DynosAsync()).Count(d => d.State == "up") == 2, "two web processes up");
        var output = await SlipwayApi.ReadAsync<ReleaseOutputResponse>(
            await app.Api.GetAsync($"/apps/{app.Key}/releases/{version}/output", TestContext.Current.CancellationToken), HttpStatusCode.OK);
        Assert.Equal($"migrated v{version} greeting=\n", output.Output);
    }
}
