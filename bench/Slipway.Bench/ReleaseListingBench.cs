using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Slipway.Contracts;
using Slipway.TestSupport;

namespace Slipway.Bench;

/// <summary>One row of the release-listing table.</summary>
public sealed record ListingResult(int AppReleases, string Range, Latency Latency);

/// <summary>The listing setup: how the big app was made, for the report.</summary>
public sealed record ListingSetup(int SeededReleases, TimeSpan SeedTime, string Check);

/// <summary>
/// Listing one page of releases (<c>GET /apps/{app}/releases</c> with a <c>Range</c> header)
/// of an app with few releases and of one with very many, first page and deep page: paging
/// by version should make them cost the same.
/// </summary>
public static class ReleaseListingBench
{
    public static async Task<(ListingSetup Setup, List<ListingResult> Rows)> RunAsync(SlipwayTestServer server, string space, BenchOptions options)
    {
        using var client = server.Api();
        var page = options.PageSize;

        var small = await client.CreateAppAsync(space, "small");
        for (var i = 1; i <= options.SmallReleases; i++)
        {
            await client.ChangeConfigAsync(small.Name, Config(i));
        }

        // v1 and the last version go through the API, everything between is seeded: the last
        // one proves that the API carries on from the seeded counter.
        var big = await client.CreateAppAsync(space, "big");
        var n = options.BigReleases;
        await client.ChangeConfigAsync(big.Name, Config(1));
        var first = await client.GetReleaseAsync(big.Name, 1);
        var (took, idPrefix) = await ReleaseSeeder.SeedAsync(server, big.Id, first.User.Id, 2, n - 1);
        var last = await client.ChangeConfigAsync(big.Name, Config(n));
        if (last != n)
        {
            throw new InvalidOperationException($"After seeding, the API made v{last}, not v{n}.");
        }

        await CheckSeededAsync(client, big.Name, idPrefix, n / 2, server.Services.GetRequiredService<TimeProvider>().GetUtcNow());
        var check = await ReleaseCheck.GaplessAsync(server, big.Name);

        var deepFrom = n - 1000;
        var pages = new List<Page>
        {
            new(small.Name, options.SmallReleases, $"version ..; max={page}", 1),
            new(big.Name, n, $"version ..; max={page}", 1),
            new(big.Name, n, $"version ]{deepFrom}..; max={page}", deepFrom + 1),
        };
        foreach (var p in pages)
        {
            await CheckPageAsync(client, p, page);
        }

        // Round-robin over the pages so that any drift of the machine (GC, tiered JIT, the
        // database's background work) touches every row alike.
        var samples = pages.Select(_ => new List<long>(options.ListRequests)).ToList();
        for (var i = 0; i < options.ListWarmup + options.ListRequests; i++)
        {
            for (var p = 0; p < pages.Count; p++)
            {
                var start = Stopwatch.GetTimestamp();
                using var response = await PageAsync(client, pages[p].App, pages[p].Range);
                if (i >= options.ListWarmup)
                {
                    samples[p].Add(Stopwatch.GetTimestamp() - start);
                }
            }
        }

        // Rows are interleaved, so each row's elapsed time is its own requests' sum.
        var rows = pages.Select((p, index) => new ListingResult(
            p.AppReleases, p.Range, Latency.Of(samples[index], Stopwatch.GetElapsedTime(0, samples[index].Sum())))).ToList();
        return (new ListingSetup(n - 2, took, check), rows);
    }

    /// <summary>A seeded release must read back through the API like one the API made.</summary>
    private static async Task CheckSeededAsync(SlipwayApi client, string app, string idPrefix, int version, DateTimeOffset now)
    {
        var id = ReleaseSeeder.IdOf(idPrefix, version);
        var release = await client.GetReleaseAsync(app, id.ToString());
        if (release.Version != version || release.Status != "succeeded" || release.CreatedAt > now || release.CreatedAt < now.AddDays(-30))
        {
            throw new InvalidOperationException($"Seeded release {id} reads back wrong: v{release.Version}, {release.Status}, created {release.CreatedAt:O}.");
        }

        var config = await client.GetReleaseConfigAsync(app, id.ToString());
        if (config.Count != 1 || config.GetValueOrDefault(ReleaseSeeder.Key) != version.ToString(CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"Seeded release {id} has config {string.Join(", ", config ?? [])}.");
        }
    }

    /// <summary>Reads one answer whole and checks it: the right status, size and versions.</summary>
    private static async Task CheckPageAsync(SlipwayApi client, Page p, int pageSize)
    {
        using var response = await PageAsync(client, p.App, p.Range);
        var items = await response.Content.ReadFromJsonAsync<List<ReleaseResponse>>(SlipwayJson.Options) ?? [];
        var lastVersion = p.FirstVersion + pageSize - 1;
        var expectedStatus = lastVersion < p.AppReleases ? HttpStatusCode.PartialContent : HttpStatusCode.OK;
        if (items.Count != pageSize || items[0].Version != p.FirstVersion || items[^1].Version != lastVersion || response.StatusCode != expectedStatus)
        {
            throw new InvalidOperationException(
                $"{p.App} ({p.Range}): {(int)response.StatusCode} with {items.Count} releases from v{items.FirstOrDefault()?.Version}; expected {(int)expectedStatus} with {pageSize} from v{p.FirstVersion}.");
        }
    }

    /// <summary>One page of releases, read whole; the body is left unparsed so that timing is the server's.</summary>
    private static async Task<HttpResponseMessage> PageAsync(SlipwayApi client, string app, string range)
    {
        var response = await client.GetReleasesAsync(app, range);
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.PartialContent))
        {
            throw new InvalidOperationException($"list releases of {app} ({range}): {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return response;
    }

    /// <summary>The config change that makes release v<paramref name="version"/> of a bench app.</summary>
    private static Dictionary<string, string> Config(int version) => new() { [ReleaseSeeder.Key] = version.ToString(CultureInfo.InvariantCulture) };

    private sealed record Page(string App, int AppReleases, string Range, int FirstVersion);
}
