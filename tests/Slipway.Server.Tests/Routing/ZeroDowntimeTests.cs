using System.Collections.Concurrent;
using System.Net;
using Slipway.Contracts;
using Slipway.Server.Tests.Runtime;

namespace Slipway.Server.Tests.Routing;

/// <summary>No request fails while releases come and go: new processes start next to the old, traffic moves, the old drain.</summary>
public sealed class ZeroDowntimeTests(RuntimeServerFixture fixture) : IClassFixture<RuntimeServerFixture>
{
    private const int MaxRequests = 100_000;

    [Fact]
    public async Task Router_DuringTenDeploysAndRollbacks_AnswersEveryRequest()
    {
        await using var app = await fixture.CreateAppAsync();
        var web = new Dictionary<string, string> { ["web"] = TestSlug.Command() };
        var first = await app.DeploySucceededAsync(await app.UploadSlugAsync("A", web));
        Assert.Equal(HttpStatusCode.OK, (await app.PatchFormationAsync(new FormationPatchRequest([new FormationUpdate("web", 2, null)], null))).StatusCode);
        await Poll.UntilAsync(async () => (await app.DynosAsync()).Count(d => d.State == "up") == 2, "two web processes up");
        var slugB = await app.UploadSlugAsync("B", web);

        using var stop = new CancellationTokenSource();
        var failures = new ConcurrentQueue<string>();
        var seen = new ConcurrentDictionary<string, int>();
        var sent = 0;
        async Task LoadAsync()
        {
            while (!stop.IsCancellationRequested && Interlocked.Increment(ref sent) <= MaxRequests)
            {
                try
                {
                    var (status, body) = await app.GetAsync();
                    if (status != HttpStatusCode.OK)
                    {
                        failures.Enqueue($"{(int)status}: {body}");
                    }
                    else
                    {
                        seen.AddOrUpdate(body.Split(' ')[0], 1, (_, n) => n + 1);
                    }
                }
                catch (HttpRequestException e)
                {
                    failures.Enqueue(e.Message);
                }
            }
        }

        var load = Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(LoadAsync, TestContext.Current.CancellationToken)));
        var versions = new List<int>();
        for (var i = 1; i <= 10; i++)
        {
            var release = i % 2 == 1 ? await app.DeployAsync(slugB) : await app.RollbackAsync(first);
            var settled = await app.SettledAsync(release.Version);
            Assert.True(settled.Status == "succeeded", $"v{release.Version}: {settled.FailureReason}");
            await app.ServesAsync($"v{release.Version} slug={(i % 2 == 1 ? "B" : "A")} ");
            versions.Add(release.Version);
        }

        await stop.CancelAsync();
        await load;

        Assert.Empty(failures);
        Assert.True(sent > 10, $"only {sent} requests were sent");
        Assert.True(versions.Count(v => seen.ContainsKey($"v{v}")) >= 5, $"the load saw only {string.Join(", ", seen.Keys)}");
        Assert.Equal(2, AppProcesses.Groups(app.Key).Count);
        Assert.All(await app.DynosAsync(), d => Assert.Equal((versions[^1], "up"), (d.ReleaseVersion, d.State)));
    }
}
