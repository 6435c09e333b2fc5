using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Slipway.Contracts;

namespace Slipway.Cli.Api;

/// <summary>A response from the API: the body as a record, the same body as JSON text (for <c>--json</c>), and its headers.</summary>
public sealed record ApiResult<T>(T Value, string Json, HttpResponseHeaders Headers, HttpStatusCode Status = HttpStatusCode.OK);

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

    /// <summary>The tokens of <paramref name="user"/> (<c>me</c>, an id or an email), without their secrets.</summary>
    public Task<ApiResult<List<TokenInfoResponse>>> ListTokensAsync(string user, CancellationToken ct) =>
        SendAsync<List<TokenInfoResponse>>(HttpMethod.Get, $"users/{Segment(user)}/tokens", null, ct);

    public Task<ApiResult<TokenInfoResponse>> RevokeTokenAsync(string user, string token, CancellationToken ct) =>
        SendAsync<TokenInfoResponse>(HttpMethod.Delete, $"users/{Segment(user)}/tokens/{Segment(token)}", null, ct);

    public Task<ApiResult<AccountResponse>> DeleteUserAsync(string user, CancellationToken ct) =>
        SendAsync<AccountResponse>(HttpMethod.Delete, $"users/{Segment(user)}", null, ct);

    public Task<ApiResult<List<SpaceResponse>>> ListSpacesAsync(CancellationToken ct) =>
        SendAsync<List<SpaceResponse>>(HttpMethod.Get, "spaces", null, ct);

    public Task<ApiResult<SpaceResponse>> CreateSpaceAsync(CreateSpaceRequest request, CancellationToken ct) =>
        SendAsync<SpaceResponse>(HttpMethod.Post, "spaces", request, ct);

    public Task<ApiResult<SpaceMemberResponse>> AddSpaceMemberAsync(string space, AddSpaceMemberRequest request, CancellationToken ct) =>
        SendAsync<SpaceMemberResponse>(HttpMethod.Post, $"spaces/{Segment(space)}/members", request, ct);

    public Task<ApiResult<SpaceMemberResponse>> RemoveSpaceMemberAsync(string space, string user, CancellationToken ct) =>
        SendAsync<SpaceMemberResponse>(HttpMethod.Delete, $"spaces/{Segment(space)}/members/{Segment(user)}", null, ct);

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

    /// <summary>The page the API answers without a <c>Range</c>: ascending, ending with the current release (or the newest, while none is current).</summary>
    public Task<ApiResult<List<ReleaseResponse>>> ListReleasesToCurrentAsync(string app, CancellationToken ct) =>
        SendAsync<List<ReleaseResponse>>(HttpMethod.Get, $"apps/{Segment(app)}/releases", null, ct);

    /// <summary>A release's statuses (the checks outside systems posted on it) and their combined state.</summary>
    public Task<ApiResult<ReleaseStatusListResponse>> ListReleaseStatusesAsync(string app, string release, CancellationToken ct) =>
        SendAsync<ReleaseStatusListResponse>(HttpMethod.Get, $"apps/{Segment(app)}/releases/{Segment(release)}/statuses", null, ct);

    /// <summary>One release by id, number or <c>vN</c>.</summary>
    public Task<ApiResult<ReleaseResponse>> GetReleaseAsync(string app, string release, CancellationToken ct) =>
        SendAsync<ReleaseResponse>(HttpMethod.Get, $"apps/{Segment(app)}/releases/{Segment(release)}", null, ct);

    /// <summary>
    /// Polls a release until the runtime has settled it (succeeded or failed). Deploys take as long
    /// as the app takes to boot; the server fails a release that is not healthy in its boot timeout.
    /// </summary>
    public Task<ReleaseResponse> WaitUntilSettledAsync(string app, ReleaseResponse release, CancellationToken ct) =>
        PollAsync(release, r => r.Status == "pending", async r => (await GetReleaseAsync(app, r.Id.ToString(), ct)).Value, ct);

    public Task<ApiResult<ReleaseResponse>> CreateReleaseAsync(string app, CreateReleaseRequest request, CancellationToken ct) =>
        SendAsync<ReleaseResponse>(HttpMethod.Post, $"apps/{Segment(app)}/releases", request, ct);

    public Task<ApiResult<List<DynoResponse>>> ListDynosAsync(string app, CancellationToken ct) =>
        SendAsync<List<DynoResponse>>(HttpMethod.Get, $"apps/{Segment(app)}/dynos", null, ct);

    /// <summary>Restarts every process of the app, or those of one type (or one process, <c>web.1</c>).</summary>
    public Task RestartDynosAsync(string app, string? type, CancellationToken ct) =>
        ExchangeAsync(HttpMethod.Delete, type is null ? $"apps/{Segment(app)}/dynos" : $"apps/{Segment(app)}/dynos/{Segment(type)}", null, ct);

    public Task<ApiResult<List<FormationResponse>>> PatchFormationAsync(string app, FormationPatchRequest request, CancellationToken ct) =>
        SendAsync<List<FormationResponse>>(HttpMethod.Patch, $"apps/{Segment(app)}/formation", request, ct);

    public Task<ApiResult<ReleaseOutputResponse>> GetReleaseOutputAsync(string app, string release, CancellationToken ct) =>
        SendAsync<ReleaseOutputResponse>(HttpMethod.Get, $"apps/{Segment(app)}/releases/{Segment(release)}/output", null, ct);

    /// <summary>The app's log: the last <paramref name="lines"/> lines, then (with <paramref name="tail"/>) new ones as they come.</summary>
    public IAsyncEnumerable<string> StreamLogsAsync(string app, int lines, bool tail, CancellationToken ct) =>
        StreamLinesAsync(string.Create(CultureInfo.InvariantCulture, $"apps/{Segment(app)}/log-sessions?lines={lines}&tail={(tail ? "true" : "false")}"), ct);

    public Task<ApiResult<SourceResponse>> CreateSourceAsync(CancellationToken ct) =>
        SendAsync<SourceResponse>(HttpMethod.Post, "sources", null, ct);

    /// <summary>Uploads a source archive to the <c>put_url</c> of <see cref="CreateSourceAsync"/>.</summary>
    public Task UploadSourceAsync(string putUrl, byte[] archive, CancellationToken ct) =>
        ExchangeAsync(HttpMethod.Put, putUrl, null, ct, request =>
        {
            request.Content = new ByteArrayContent(archive);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        });

    public Task<ApiResult<BuildResponse>> CreateBuildAsync(string app, CreateBuildRequest request, CancellationToken ct) =>
        SendAsync<BuildResponse>(HttpMethod.Post, $"apps/{Segment(app)}/builds", request, ct);

    public Task<ApiResult<List<BuildResponse>>> ListBuildsAsync(string app, CancellationToken ct) =>
        SendAsync<List<BuildResponse>>(HttpMethod.Get, $"apps/{Segment(app)}/builds", null, ct);

    /// <summary>One build by id or by the 8 hex digits release descriptions show.</summary>
    public Task<ApiResult<BuildResponse>> GetBuildAsync(string app, string build, CancellationToken ct) =>
        SendAsync<BuildResponse>(HttpMethod.Get, $"apps/{Segment(app)}/builds/{Segment(build)}", null, ct);

    public Task<ApiResult<BuildResultResponse>> GetBuildResultAsync(string app, string build, CancellationToken ct) =>
        SendAsync<BuildResultResponse>(HttpMethod.Get, $"apps/{Segment(app)}/builds/{Segment(build)}/result", null, ct);

    /// <summary>A build's output as plain text lines, from the start until the build ends (its <c>output_stream_url</c>).</summary>
    public IAsyncEnumerable<string> StreamBuildOutputAsync(BuildResponse build, CancellationToken ct) => StreamLinesAsync(build.OutputStreamUrl, ct);

    /// <summary>Polls a build until it is no longer pending.</summary>
    public Task<BuildResponse> WaitForBuildAsync(BuildResponse build, CancellationToken ct) =>
        PollAsync(build, b => b.Status == "pending", async b => (await GetBuildAsync(b.App.Name, b.Id.ToString(), ct)).Value, ct);

    public Task<ApiResult<List<AddonServiceResponse>>> ListAddonServicesAsync(CancellationToken ct) =>
        SendAsync<List<AddonServiceResponse>>(HttpMethod.Get, "addon-services", null, ct);

    public Task<ApiResult<List<AddonPlanResponse>>> ListAddonPlansAsync(string service, CancellationToken ct) =>
        SendAsync<List<AddonPlanResponse>>(HttpMethod.Get, $"addon-services/{Segment(service)}/plans", null, ct);

    public Task<ApiResult<List<AddonResponse>>> ListAddonsAsync(string app, CancellationToken ct) =>
        SendAsync<List<AddonResponse>>(HttpMethod.Get, $"apps/{Segment(app)}/addons", null, ct);

    /// <summary>An add-on by id or name; null once it is gone (404), which is how a destroy ends.</summary>
    public async Task<ApiResult<AddonResponse>?> FindAddonAsync(string app, string addon, CancellationToken ct)
    {
        try
        {
            return await SendAsync<AddonResponse>(HttpMethod.Get, $"apps/{Segment(app)}/addons/{Segment(addon)}", null, ct);
        }
        catch (ApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task<ApiResult<AddonResponse>> GetAddonAsync(string app, string addon, CancellationToken ct) =>
        SendAsync<AddonResponse>(HttpMethod.Get, $"apps/{Segment(app)}/addons/{Segment(addon)}", null, ct);

    /// <summary>Polls an add-on until it is no longer <c>provisioning</c> (then <c>provisioned</c> or <c>failed</c>).</summary>
    public Task<AddonResponse> WaitForAddonAsync(AddonResponse addon, CancellationToken ct) =>
        PollAsync(addon, a => a.State == "provisioning", async a => (await GetAddonAsync(a.App.Name, a.Id.ToString(), ct)).Value, ct);

    /// <summary>Polls a destroyed add-on until it is gone (null) or the broker failed to remove it (<c>deprovision_failed</c>).</summary>
    public Task<AddonResponse?> WaitUntilAddonGoneAsync(AddonResponse addon, CancellationToken ct) =>
        PollAsync<AddonResponse?>(addon, a => a is not null && a.State != "deprovision_failed", async a => (await FindAddonAsync(a!.App.Name, a.Id.ToString(), ct))?.Value, ct);

    /// <summary>Attaches an add-on: <c>201</c> once attached, <c>202</c> while it is still being provisioned (see <see cref="ApiResult{T}.Status"/>).</summary>
    public Task<ApiResult<AddonResponse>> CreateAddonAsync(string app, CreateAddonRequest request, CancellationToken ct) =>
        SendAsync<AddonResponse>(HttpMethod.Post, $"apps/{Segment(app)}/addons", request, ct);

    /// <summary>Detaches and deprovisions: <c>200</c> once gone, <c>202</c> while the broker works.</summary>
    public Task<ApiResult<AddonResponse>> DestroyAddonAsync(string app, string addon, string confirm, CancellationToken ct) =>
        SendAsync<AddonResponse>(HttpMethod.Delete, $"apps/{Segment(app)}/addons/{Segment(addon)}?confirm={Uri.EscapeDataString(confirm)}", null, ct);

    public Task<ApiResult<List<AddonBrokerResponse>>> ListAddonBrokersAsync(CancellationToken ct) =>
        SendAsync<List<AddonBrokerResponse>>(HttpMethod.Get, "addon-brokers", null, ct);

    public Task<ApiResult<AddonBrokerResponse>> CreateAddonBrokerAsync(CreateAddonBrokerRequest request, CancellationToken ct) =>
        SendAsync<AddonBrokerResponse>(HttpMethod.Post, "addon-brokers", request, ct);

    public void Dispose() => _http.Dispose();

    /// <summary>
    /// Asks again while <paramref name="pending"/> holds, waiting 100 ms at first and doubling up to
    /// a second: quick answers are seen at once, long waits do not hammer the API.
    /// </summary>
    private static async Task<T> PollAsync<T>(T value, Func<T, bool> pending, Func<T, Task<T>> next, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (pending(value))
        {
            await Task.Delay(delay, ct);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 1000));
            value = await next(value);
        }

        return value;
    }

    /// <summary>
    /// Reads a plain text stream line by line as it arrives. The client's timeout covers only
    /// the wait for the headers: a followed stream may stay open for as long as the user wants.
    /// </summary>
    private async IAsyncEnumerable<string> StreamLinesAsync(string path, [EnumeratorCancellation] CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/plain"));
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"Cannot reach the Slipway API at {BaseAddress}: {e.Message}");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new ApiException(response.StatusCode, ErrorMessage(response, await response.Content.ReadAsStringAsync(ct)));
            }

            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
            while (true)
            {
                string? line;
                try
                {
                    line = await reader.ReadLineAsync(ct);
                }
                catch (IOException e) when (!ct.IsCancellationRequested)
                {
                    throw new CliException($"The stream from the Slipway API at {BaseAddress} broke off: {e.Message}");
                }

                if (line is null)
                {
                    yield break;
                }

                yield return line;
            }
        }
    }

    /// <summary>Sends a request whose answer has no body aka needs; a refusal becomes an <see cref="ApiException"/>.</summary>
    private async Task ExchangeAsync(HttpMethod method, string path, object? body, CancellationToken ct, Action<HttpRequestMessage>? configure = null)
    {
        var (response, text) = await SendRawAsync(method, path, body, ct, configure);
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new ApiException(response.StatusCode, ErrorMessage(response, text));
            }
        }
    }

    private async Task<(HttpResponseMessage Response, string Text)> SendRawAsync(HttpMethod method, string path, object? body, CancellationToken ct, Action<HttpRequestMessage>? configure)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: SlipwayJson.Options);
        }

        configure?.Invoke(request);
        try
        {
            var response = await _http.SendAsync(request, ct);
            return (response, await response.Content.ReadAsStringAsync(ct));
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"Cannot reach the Slipway API at {BaseAddress}: {e.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliException($"The Slipway API at {BaseAddress} did not answer within {_http.Timeout.TotalSeconds:0} seconds.");
        }
    }

    private async Task<ApiResult<T>> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct, Action<HttpRequestMessage>? configure = null)
    {
        var (response, text) = await SendRawAsync(method, path, body, ct, configure);
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new ApiException(response.StatusCode, ErrorMessage(response, text));
            }

            try
            {
                var value = JsonSerializer.Deserialize<T>(text, SlipwayJson.Options)
                    ?? throw new JsonException("The body is null.");
                return new ApiResult<T>(value, text, response.Headers, response.StatusCode);
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
