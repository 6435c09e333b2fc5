using System.Net;
using System.Net.Http.Json;
using Slipway.Contracts;

namespace Slipway.Bench;

/// <summary>The few API calls the benchmark makes; any answer but the expected one stops the run.</summary>
public static class BenchApi
{
    public const string ReleaseHeader = "Slipway-Release";

    public static async Task CreateSpaceAsync(HttpClient client, string name)
    {
        using var response = await client.PostAsJsonAsync("/spaces", new CreateSpaceRequest(name, "benchmark"), SlipwayJson.Options);
        await EnsureAsync(response, HttpStatusCode.Created, $"create space {name}");
    }

    public static async Task<AppResponse> CreateAppAsync(HttpClient client, string name, string space)
    {
        using var response = await client.PostAsJsonAsync("/apps", new CreateAppRequest(name, space), SlipwayJson.Options);
        await EnsureAsync(response, HttpStatusCode.Created, $"create app {name}-{space}");
        return (await response.Content.ReadFromJsonAsync<AppResponse>(SlipwayJson.Options))!;
    }

    /// <summary>Sets one config var, which must make a release; answers its version.</summary>
    public static async Task<int> SetConfigAsync(HttpClient client, string app, string key, string value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/apps/{app}/config-vars")
        {
            Content = JsonContent.Create(new Dictionary<string, string> { [key] = value }, options: SlipwayJson.Options),
        };
        using var response = await client.SendAsync(request);
        await EnsureAsync(response, HttpStatusCode.OK, $"PATCH config of {app}");
        var made = response.Headers.TryGetValues(ReleaseHeader, out var values) ? values.Single() : "";
        return made.StartsWith('v') && int.TryParse(made.AsSpan(1), out var version)
            ? version
            : throw new InvalidOperationException($"PATCH config of {app} made no release ({ReleaseHeader}: '{made}').");
    }

    /// <summary>One page of releases, read whole; the body is left unparsed so that timing is the server's.</summary>
    public static async Task<HttpResponseMessage> ListPageAsync(HttpClient client, string app, string range)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/apps/{app}/releases");
        request.Headers.TryAddWithoutValidation("Range", range);
        var response = await client.SendAsync(request);
        request.Dispose();
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.PartialContent))
        {
            await EnsureAsync(response, HttpStatusCode.OK, $"list releases of {app} ({range})");
        }

        return response;
    }

    public static async Task<ReleaseResponse> GetReleaseAsync(HttpClient client, string app, string release)
    {
        using var response = await client.GetAsync($"/apps/{app}/releases/{release}");
        await EnsureAsync(response, HttpStatusCode.OK, $"get release {release} of {app}");
        return (await response.Content.ReadFromJsonAsync<ReleaseResponse>(SlipwayJson.Options))!;
    }

    private static async Task EnsureAsync(HttpResponseMessage response, HttpStatusCode expected, string what)
    {
        if (response.StatusCode != expected)
        {
            var body = await response.Content.ReadAsStringAsync();
            throw new InvalidOperationException($"{what}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        }
    }
}
