using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Slipway.Contracts;

namespace Slipway.Cli.Api;

/// <summary>A response from the API: the body as a record, the same body as JSON text (for <c>--json</c>), and its headers.</summary>
public sealed record ApiResult<T>(T Value, string Json, HttpResponseHeaders Headers);

/// <summary>
/// The API as <c>aka</c> uses it: one method per call, a Bearer token on each, JSON in the
/// shapes of <c>Slipway.Contracts</c>. Any failure (a problem+json refusal, an unreachable
/// server, a body that is not what was promised) becomes a <see cref="CliException"/> with
/// one clear sentence.
/// </summary>
public sealed partial class SlipwayApi : IDisposable
{
    /// <summary>The header in which a config change answers the release it made, or <c>none</c>.</summary>
    public const string ReleaseHeader = "Slipway-Release";

    private readonly HttpClient _http;

    private SlipwayApi(Uri baseAddress, string token)
    {
        // Routes are relative ("apps/x"), so a base with a path ("https://host/slipway") must end in '/'.
        var root = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        _http = new HttpClient { BaseAddress = root, Timeout = TimeSpan.FromSeconds(100) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("aka", typeof(SlipwayApi).Assembly.GetName().Version?.ToString(3) ?? "0"));
    }

    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>A client with the token of <paramref name="context"/>: <c>SLIPWAY_API_TOKEN</c>, else the netrc entry for the API's host.</summary>
    public static SlipwayApi Connect(CliContext context)
    {
        var token = context.EnvironmentToken is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : Netrc.Load(context.NetrcPath).Find(context.NetrcMachine)?.Password;
        if (string.IsNullOrEmpty(token))
        {
            throw new CliException($"Not logged in to {context.ApiUrl}: run 'aka login' or set SLIPWAY_API_TOKEN.");
        }

        return new SlipwayApi(context.ApiUrl, token);
    }

    /// <summary>A client with an explicit token, as <c>aka login</c> checks one before keeping it.</summary>
    public static SlipwayApi WithToken(CliContext context, string token) => new(context.ApiUrl, token);

    public Task<ApiResult<AccountResponse>> GetAccountAsync(CancellationToken ct) =>
        SendAsync<AccountResponse>(HttpMethod.Get, "account", null, ct);

    public Task<ApiResult<CreatedUserResponse>> CreateUserAsync(CreateUserRequest request, CancellationToken ct) =>
        SendAsync<CreatedUserResponse>(HttpMethod.Post, "users", request, ct);

    public Task<ApiResult<List<SpaceResponse>>> ListSpacesAsync(CancellationToken ct) =>
        SendAsync<List<SpaceResponse>>(HttpMethod.Get, "spaces", null, ct);

    public Task<ApiResult<SpaceResponse>> CreateSpaceAsync(CreateSpaceRequest request, CancellationToken ct) =>
        SendAsync<SpaceResponse>(HttpMethod.Post, "spaces", request, ct);

    public Task<ApiResult<SpaceMemberResponse>> AddSpaceMemberAsync(string space, AddSpaceMemberRequest request, CancellationToken ct) =>
        SendAsync<SpaceMemberResponse>(HttpMethod.Post, $"spaces/{Segment(space)}/members", request, ct);

    public Task<ApiResult<List<AppResponse>>> ListAppsAsync(CancellationToken ct) =>
        SendAsync<List<AppResponse>>(HttpMethod.Get, "apps", null, ct);

    public Task<ApiResult<AppResponse>> GetAppAsync(string app, CancellationToken ct) =>
        SendAsync<AppResponse>(HttpMethod.Get, $"apps/{Segment(app)}", null, ct);

    public Task<ApiResult<AppResponse>> CreateAppAsync(CreateAppRequest request, CancellationToken ct) =>
        SendAsync<AppResponse>(HttpMethod.Post, "apps", request, ct);

    public Task<ApiResult<AppResponse>> DestroyAppAsync(string app, string confirm, CancellationToken ct) =>
        SendAsync<AppResponse>(HttpMethod.Delete, $"apps/{Segment(app)}?confirm={Uri.EscapeDataString(confirm)}", null, ct);

    public Task<ApiResult<Dictionary<string, string>>> GetConfigAsync(string app, CancellationToken ct) =>
        SendAsync<Dictionary<string, string>>(HttpMethod.Get, $"apps/{Segment(app)}/config-vars", null, ct);

    /// <summary>Sets (non-null value) and removes (null) config vars in one release; see <see cref="ReleaseHeader"/>.</summary>
    public Task<ApiResult<Dictionary<string, string>>> PatchConfigAsync(string app, IReadOnlyDictionary<string, string?> changes, CancellationToken ct) =>
        SendAsync<Dictionary<string, string>>(HttpMethod.Patch, $"apps/{Segment(app)}/config-vars", changes, ct);

    /// <summary>The newest <paramref name="max"/> releases, newest first (Heroku's <c>Range</c> header).</summary>
    public Task<ApiResult<List<ReleaseResponse>>> ListNewestReleasesAsync(string app, int max, CancellationToken ct) =>
        SendAsync<List<ReleaseResponse>>(
            HttpMethod.Get,
            $"apps/{Segment(app)}/releases",
            null,
            ct,
            request => request.Headers.TryAddWithoutValidation("Range", string.Create(CultureInfo.InvariantCulture, $"version ..; max={max}, order=desc")));

    /// <summary>One release by id, number or <c>vN</c>.</summary>
    public Task<ApiResult<ReleaseResponse>> GetReleaseAsync(string app, string release, CancellationToken ct) =>
        SendAsync<ReleaseResponse>(HttpMethod.Get, $"apps/{Segment(app)}/releases/{Segment(release)}", null, ct);

    /// <summary>
    /// Polls a release until the runtime has settled it (succeeded or failed). Deploys take as long
    /// as the app takes to boot; the server fails a release that is not healthy in its boot timeout.
    /// </summary>
    public async Task<ReleaseResponse> WaitUntilSettledAsync(string app, ReleaseResponse release, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (release.Status == "pending")
        {
            await Task.Delay(delay, ct);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 1000));
            release = (await GetReleaseAsync(app, release.Id.ToString(), ct)).Value;
        }

        return release;
    }

    public Task<ApiResult<ReleaseResponse>> CreateReleaseAsync(string app, CreateReleaseRequest request, CancellationToken ct) =>
        SendAsync<ReleaseResponse>(HttpMethod.Post, $"apps/{Segment(app)}/releases", request, ct);

    public void Dispose() => _http.Dispose();

    private async Task<ApiResult<T>> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: SlipwayJson.Options);
        }

        configure?.Invoke(request);
        HttpResponseMessage response;
        string text;
        try
        {
            response = await _http.SendAsync(request, ct);
            text = await response.Content.ReadAsStringAsync(ct);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"Cannot reach the Slipway API at {BaseAddress}: {e.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliException($"The Slipway API at {BaseAddress} did not answer within {_http.Timeout.TotalSeconds:0} seconds.");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new CliException(ErrorMessage(response, text));
            }

            try
            {
                var value = JsonSerializer.Deserialize<T>(text, SlipwayJson.Options)
                    ?? throw new JsonException("The body is null.");
                return new ApiResult<T>(value, text, response.Headers);
            }
            catch (JsonException e)
            {
                throw new CliException($"The API's answer to {method} /{path} is not what aka expected: {e.Message}");
            }
        }
    }

    /// <summary>The problem's <c>message</c> (Heroku's field), else its <c>detail</c> or <c>title</c>, else the status line.</summary>
    private static string ErrorMessage(HttpResponseMessage response, string body)
    {
        ProblemResponse? problem = null;
        try
        {
            problem = body.Length > 0 ? JsonSerializer.Deserialize<ProblemResponse>(body, SlipwayJson.Options) : null;
        }
        catch (JsonException)
        {
            // Not a problem document (a proxy's HTML page, say): the status line says enough.
        }

        var message = new[] { problem?.Message, problem?.Detail, problem?.Title }.FirstOrDefault(m => !string.IsNullOrWhiteSpace(m));
        return message ?? $"The API answered {(int)response.StatusCode} {response.ReasonPhrase}.";
    }

    private static string Segment(string value) => Uri.EscapeDataString(value);
}
