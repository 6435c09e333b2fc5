using System.Net;
using System.Text.Json;
using Slipway.Contracts;

namespace Slipway.Cli.Api;

/// <summary>Auto-deploy's calls: <c>/apps/{app}/builds/auto</c>.</summary>
public sealed partial class SlipwayApi
{
    public Task<ApiResult<AutoDeployResponse>> SetAutoDeployAsync(string app, SetAutoDeployRequest request, CancellationToken ct) =>
        SendAsync<AutoDeployResponse>(HttpMethod.Post, $"apps/{Segment(app)}/builds/auto", request, ct);

    public Task<ApiResult<AutoDeployResponse>> GetAutoDeployAsync(string app, CancellationToken ct) =>
        SendAsync<AutoDeployResponse>(HttpMethod.Get, $"apps/{Segment(app)}/builds/auto", null, ct);

    public Task<ApiResult<AutoDeployResponse>> UnsetAutoDeployAsync(string app, CancellationToken ct) =>
        SendAsync<AutoDeployResponse>(HttpMethod.Delete, $"apps/{Segment(app)}/builds/auto", null, ct);

    /// <summary>What the app watches, or null when it watches nothing (or the answer cannot be had: this only adds a hint).</summary>
    public async Task<AutoDeployResponse?> FindAutoDeployAsync(string app, CancellationToken ct)
    {
        try
        {
            using var response = await _http.GetAsync($"apps/{Segment(app)}/builds/auto", ct);
            return response.StatusCode == HttpStatusCode.OK
                ? JsonSerializer.Deserialize<AutoDeployResponse>(await response.Content.ReadAsStringAsync(ct), SlipwayJson.Options)
                : null;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            return null;
        }
    }
}
