using Slipway.Server.Tests.Collector;

namespace Slipway.Server.Tests.Runtime;

/// <summary>
/// The unpacked-slug cache stays within <c>Slipway:Runtime:SlugCacheMaxBytes</c> (one byte here): a slug that
/// no process runs any more is removed, one that processes run never is, and a removed one is unpacked again when needed.
/// </summary>
public sealed class SlugCacheTests(CollectorServerFixture fixture) : IClassFixture<CollectorServerFixture>
{
    [Fact]
    public async Task SlugCache_OverItsLimit_RemovesWhatNoProcessRunsAndKeepsWhatRuns()
    {
        await using var bystander = await fixture.CreateAppAsync();
        await using var app = await fixture.CreateAppAsync();
        var c = await bystander.UploadSlugAsync("C", new() { ["web"] = TestSlug.Command() });
        await bystander.DeploySucceededAsync(c);
        var a = await app.UploadSlugAsync("A", new() { ["web"] = TestSlug.Command() });
        var first = await app.DeploySucceededAsync(a);
        var (digestA, digestC) = (await DigestOfAsync(a), await DigestOfAsync(c));
        Assert.Equal(new[] { digestA, digestC }.Order(), Unpacked().Order());

        var b = await app.UploadSlugAsync("B", new() { ["web"] = TestSlug.Command() });
        await app.DeploySucceededAsync(b);

        await app.ServesAsync("v2 slug=B");
        Assert.Equal(new[] { digestC, await DigestOfAsync(b) }.Order(), Unpacked().Order());

        var rollback = await app.RollbackAsync(first);
        Assert.Equal("succeeded", (await app.SettledAsync(rollback.Version)).Status);

        await app.ServesAsync("v3 slug=A");
        Assert.Equal(new[] { digestA, digestC }.Order(), Unpacked().Order());
        await bystander.ServesAsync("v1 slug=C");
    }

    private async Task<string> DigestOfAsync(Guid slug) => (await fixture.Api.GetSlugAsync(slug)).Checksum["SHA256:".Length..];

    private List<string> Unpacked() =>
        [.. Directory.EnumerateDirectories(Path.Combine(fixture.Server.DataDir, "runtime", "slugs")).Select(Path.GetFileName).OfType<string>().Where(n => n.Length == 64)];
}
