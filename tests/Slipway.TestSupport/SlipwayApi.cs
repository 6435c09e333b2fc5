using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Slipway.Contracts;

namespace Slipway.TestSupport;

/// <summary>
/// The one typed client of Slipway's HTTP API for tests and benchmarks, over the real API, so that a
/// test reads as the scenario it checks. Each call expects the status a working server answers and
/// fails the test (or the benchmark) with the method, path, status and body when it gets another;
/// the raw <see cref="Http"/> client is there for the requests a test is about. Changes that the
/// server finishes in the background (releases, builds, add-ons, processes) have a call that waits
/// until they have settled, polling with a deadline.
/// </summary>
public sealed class SlipwayApi(HttpClient http) : IDisposable
{
    /// <summary>A web process the local runtime really starts: Python's static file server on its PORT.</summary>
    public const string StaticWeb = "python3 -m http.server --bind 127.0.0.1 $PORT";

    /// <summary>How long a release may take to leave pending: a real deploy starts and checks real processes.</summary>
    public static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(90);

    /// <summary>How long a test waits for an add-on's background work before it fails.</summary>
    public static readonly TimeSpan AddonTimeout = TimeSpan.FromSeconds(60);

    // Config var names are sent as written (FOO stays FOO), also from anonymous objects.
    private static readonly JsonSerializerOptions AsWritten = new();

    public HttpClient Http => http;

    /// <summary>A name no other test uses: <paramref name="prefix"/> and ten hex digits (valid for apps, spaces and emails).</summary>
    public static string Unique(string prefix = "") => prefix + Guid.NewGuid().ToString("N")[..10];

    // Accounts and spaces

    /// <summary>Creates a non-admin user and answers its token.</summary>
    public async Task<string> CreateUserAsync(string email) =>
        (await ReadAsync<CreatedUserResponse>(await http.PostAsJsonAsync("/users", new CreateUserRequest(email, null), SlipwayJson.Options), HttpStatusCode.Created)).Token.Token;

    public async Task<SpaceResponse> CreateSpaceAsync(string? name = null, string? description = null) =>
        await ReadAsync<SpaceResponse>(await http.PostAsJsonAsync("/spaces", new CreateSpaceRequest(name ?? Unique("space"), description), SlipwayJson.Options), HttpStatusCode.Created);

    public async Task<SpaceMemberResponse> AddSpaceMemberAsync(string space, string email) =>
        await ReadAsync<SpaceMemberResponse>(await http.PostAsJsonAsync($"/spaces/{space}/members", new AddSpaceMemberRequest(email), SlipwayJson.Options), HttpStatusCode.OK);

    // Apps

    /// <summary>Creates an app in <paramref name="space"/> (which must exist), or in a new space of its own.</summary>
    public async Task<AppResponse> CreateAppAsync(string? space = null, string? name = null)
    {
        space ??= (await CreateSpaceAsync()).Name;
        return await ReadAsync<AppResponse>(await http.PostAsJsonAsync("/apps", new CreateAppRequest(name ?? Unique("app"), space), SlipwayJson.Options), HttpStatusCode.Created);
    }

    public async Task<AppResponse> GetAppAsync(string app) => await ReadAsync<AppResponse>(await http.GetAsync($"/apps/{app}"), HttpStatusCode.OK);

    /// <summary>Destroys the app (confirmed), which stops its processes.</summary>
    public async Task DestroyAppAsync(string app) => await ReadAsync<AppResponse>(await http.DeleteAsync($"/apps/{app}?confirm={app}"), HttpStatusCode.OK);

    // Config vars

    /// <summary>One PATCH of config vars (a null value removes one), answered as it is.</summary>
    public Task<HttpResponseMessage> PatchConfigAsync(string app, object vars) =>
        http.PatchAsync($"/apps/{app}/config-vars", JsonContent.Create(vars, vars.GetType(), options: AsWritten));

    /// <summary>One PATCH that must make a release; answers its version without waiting for the deploy.</summary>
    public async Task<int> ChangeConfigAsync(string app, object vars)
    {
        using var response = await PatchConfigAsync(app, vars);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            await ExpectAsync(response, HttpStatusCode.OK);
        }

        var made = response.Headers.TryGetValues("Slipway-Release", out var values) ? values.Single() : "";
        Assert.True(made.StartsWith('v') && int.TryParse(made.AsSpan(1), out _), $"PATCH config of {app} made no release (Slipway-Release: '{made}').");
        return int.Parse(made.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Changes config vars and waits until the runtime has settled the release it made.</summary>
    public async Task<ReleaseResponse> SetConfigAsync(string app, object vars) => await SettledAsync(app, await ChangeConfigAsync(app, vars));

    public async Task<Dictionary<string, string>> GetConfigAsync(string app) =>
        await ReadAsync<Dictionary<string, string>>(await http.GetAsync($"/apps/{app}/config-vars"), HttpStatusCode.OK);

    public async Task<Dictionary<string, string>> GetReleaseConfigAsync(string app, string release) =>
        await ReadAsync<Dictionary<string, string>>(await http.GetAsync($"/apps/{app}/releases/{release}/config-vars"), HttpStatusCode.OK);

    // Slugs

    /// <summary>Registers a slug for <paramref name="archive"/> and PUTs it to its blob URL; answers the uploaded slug.</summary>
    public async Task<SlugResponse> UploadSlugAsync(string app, byte[] archive, IReadOnlyDictionary<string, string> processTypes, string? commit = null, string? message = null)
    {
        var (_, upload) = await PutSlugAsync(app, archive, processTypes, commit, message);
        return await ReadAsync<SlugResponse>(upload, HttpStatusCode.OK);
    }

    /// <summary>Registers a slug for <paramref name="archive"/> and PUTs it to its blob URL; answers the slug as registered and the PUT's response, whatever it is.</summary>
    public async Task<(SlugResponse Slug, HttpResponseMessage Upload)> PutSlugAsync(string app, byte[] archive, IReadOnlyDictionary<string, string> processTypes, string? commit = null, string? message = null)
    {
        var request = new CreateSlugRequest(new Dictionary<string, string>(processTypes), Archives.Checksum(archive), commit, message, archive.Length);
        var slug = await ReadAsync<SlugResponse>(await http.PostAsJsonAsync($"/apps/{app}/slugs", request, SlipwayJson.Options), HttpStatusCode.Created);
        return (slug, await http.PutAsync(slug.Blob.Url, new ByteArrayContent(archive)));
    }

    /// <summary>
    /// Uploads a slug of <paramref name="files"/> (under ./app/; by default one page unique to this
    /// slug). Its web process is <see cref="StaticWeb"/> unless <paramref name="processTypes"/> says otherwise.
    /// </summary>
    public Task<SlugResponse> CreateSlugAsync(string app, Dictionary<string, string>? files = null, string? commit = null, string? message = null, Dictionary<string, string>? processTypes = null) =>
        UploadSlugAsync(app, Archives.Slug(files ?? new() { ["index.html"] = "hello " + Unique() }), processTypes ?? new() { ["web"] = StaticWeb }, commit, message);

    public async Task<SlugResponse> GetSlugAsync(Guid slug) => await ReadAsync<SlugResponse>(await http.GetAsync($"/slugs/{slug}"), HttpStatusCode.OK);

    // Releases

    public Task<HttpResponseMessage> PostReleaseAsync(string app, object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/apps/{app}/releases") { Content = JsonContent.Create(body, body.GetType(), options: SlipwayJson.Options) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return http.SendAsync(request);
    }

    /// <summary>Makes a release (<c>{slug}</c> or <c>{release}</c>) and answers it as the POST did, usually still pending.</summary>
    public async Task<ReleaseResponse> CreateReleaseAsync(string app, object body) =>
        await ReadAsync<ReleaseResponse>(await PostReleaseAsync(app, body), HttpStatusCode.Created);

    /// <summary>Deploys a slug and waits until the runtime has settled the release (succeeded or failed).</summary>
    public async Task<ReleaseResponse> DeployAsync(string app, Guid slug) =>
        await SettledAsync(app, await CreateReleaseAsync(app, new { slug = slug.ToString() }));

    /// <summary>Uploads a new slug (as <see cref="CreateSlugAsync"/>) and deploys it; answers both, the release settled.</summary>
    public async Task<(SlugResponse Slug, ReleaseResponse Release)> DeploySlugAsync(string app, Dictionary<string, string>? processTypes = null, string? commit = null, string? message = null)
    {
        var slug = await CreateSlugAsync(app, commit: commit, message: message, processTypes: processTypes);
        return (slug, await DeployAsync(app, slug.Id));
    }

    /// <summary>Rolls back to <paramref name="release"/> (a version, <c>vN</c>, an id or <c>previous</c>) and waits until it has settled.</summary>
    public async Task<ReleaseResponse> RollbackAsync(string app, object release) =>
        await SettledAsync(app, await CreateReleaseAsync(app, new { release }));

    public async Task<ReleaseResponse> GetReleaseAsync(string app, string reference) =>
        await ReadAsync<ReleaseResponse>(await http.GetAsync($"/apps/{app}/releases/{reference}"), HttpStatusCode.OK);

    public Task<ReleaseResponse> GetReleaseAsync(string app, int version) => GetReleaseAsync(app, version.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Every release of the app, oldest first.</summary>
    public async Task<List<ReleaseResponse>> ListReleasesAsync(string app)
    {
        using var response = await GetReleasesAsync(app, "version ..; max=1000");
        return await ReadAsync<List<ReleaseResponse>>(response, HttpStatusCode.OK);
    }

    /// <summary>One page of releases for a <c>Range</c> header, answered as it is (200 or 206), its body unread.</summary>
    public async Task<HttpResponseMessage> GetReleasesAsync(string app, string range)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/apps/{app}/releases");
        request.Headers.TryAddWithoutValidation("Range", range);
        return await http.SendAsync(request);
    }

    /// <summary>Polls a release until it is no longer pending (the deployer works in the background).</summary>
    public Task<ReleaseResponse> SettledAsync(string app, ReleaseResponse release, TimeSpan? timeout = null) =>
        release.Status == "pending" ? SettledAsync(app, release.Version, timeout) : Task.FromResult(release);

    public Task<ReleaseResponse> SettledAsync(string app, int version, TimeSpan? timeout = null) => Poll.UntilAsync(
        () => GetReleaseAsync(app, version),
        r => r.Status != "pending",
        r => $"v{r.Version} of {app} is still pending after {(timeout ?? SettleTimeout).TotalSeconds} s.",
        timeout ?? SettleTimeout);

    /// <summary>Waits until release v<paramref name="version"/> exists and has settled, as one made in the background (auto-deploy) does; fails at once when a build failed.</summary>
    public async Task<ReleaseResponse> WaitForReleaseAsync(string app, int version, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromMinutes(2);
        var made = await Poll.UntilAsync<ReleaseResponse?>(
            async () =>
            {
                if ((await ListReleasesAsync(app)).FirstOrDefault(r => r.Version == version) is { } release)
                {
                    return release;
                }

                var failed = (await ListBuildsAsync(app)).FirstOrDefault(b => b.Status == "failed");
                Assert.True(failed is null, $"Build {failed?.Id} failed: {failed?.FailureReason}");
                return null;
            },
            release => release is not null,
            _ => $"{app} has no v{version} after {limit.TotalMinutes} minutes.",
            limit);
        return await SettledAsync(app, made!, limit);
    }

    // Release statuses and pipelines

    /// <summary>Posts a release status (what CI does) on a release of the app.</summary>
    public async Task<ReleaseStatusResponse> PostReleaseStatusAsync(string app, Guid release, string state, string context) =>
        await ReadAsync<ReleaseStatusResponse>(
            await http.PostAsJsonAsync($"/apps/{app}/releases/{release}/statuses", new CreateReleaseStatusRequest(state, context, null, null, null, null), SlipwayJson.Options),
            HttpStatusCode.Created);

    public async Task<PipelineResponse> CreatePipelineAsync(string? name = null) =>
        await ReadAsync<PipelineResponse>(await http.PostAsJsonAsync("/pipelines", new CreatePipelineRequest(name ?? Unique("pipe")), SlipwayJson.Options), HttpStatusCode.Created);

    public Task<HttpResponseMessage> PostCouplingAsync(string app, string pipeline, string stage, params string[] contexts) =>
        http.PostAsJsonAsync("/pipeline-couplings", new CreatePipelineCouplingRequest(app, pipeline, stage, new RequiredStatusChecks(contexts)), SlipwayJson.Options);

    /// <summary>Couples the app to the pipeline at the stage, with these required status checks.</summary>
    public async Task<PipelineCouplingResponse> CoupleAsync(string app, string pipeline, string stage, params string[] contexts) =>
        await ReadAsync<PipelineCouplingResponse>(await PostCouplingAsync(app, pipeline, stage, contexts), HttpStatusCode.Created);

    /// <summary>Asks for a promotion from <paramref name="source"/>'s current release (to the next stage when no target is named), answered as it is.</summary>
    public Task<HttpResponseMessage> PostPromotionAsync(string source, bool safe = false, string? release = null, params string[] targets) =>
        http.PostAsJsonAsync(
            "/pipeline-promotions",
            new CreatePipelinePromotionRequest(null, new PromotionSourceRef(new PromotionAppRef(source), release is null ? null : new PromotionRef(release)), [.. targets.Select(t => new PromotionTargetRef(new PromotionAppRef(t)))], safe),
            SlipwayJson.Options);

    /// <summary>Promotes (it must be accepted) and answers the promotion, its targets' releases still pending.</summary>
    public async Task<PipelinePromotionResponse> PromoteAsync(string source, params string[] targets) =>
        await ReadAsync<PipelinePromotionResponse>(await PostPromotionAsync(source, targets: targets), HttpStatusCode.Created);

    // Webhooks

    public Task<HttpResponseMessage> PostHookAsync(string app, string? url, IReadOnlyList<string>? events, string? secret, bool? active = null) =>
        http.PostAsJsonAsync($"/apps/{app}/hooks", new CreateHookRequest(url, events, active, secret), SlipwayJson.Options);

    /// <summary>Adds a webhook to the app (it must be accepted).</summary>
    public async Task<HookResponse> CreateHookAsync(string app, string url, string secret, params string[] events) =>
        await ReadAsync<HookResponse>(await PostHookAsync(app, url, events, secret), HttpStatusCode.Created);

    public async Task<List<HookResponse>> ListHooksAsync(string app) =>
        await ReadAsync<List<HookResponse>>(await http.GetAsync($"/apps/{app}/hooks"), HttpStatusCode.OK);

    /// <summary>The hook's delivery attempts, newest first.</summary>
    public async Task<List<HookResultResponse>> HookResultsAsync(string app, Guid hook) =>
        await ReadAsync<List<HookResultResponse>>(await http.GetAsync($"/apps/{app}/hooks/{hook}/results"), HttpStatusCode.OK);

    // Builds

    public async Task<BuildResponse> StartBuildAsync(string app, object body) =>
        await ReadAsync<BuildResponse>(await http.PostAsJsonAsync($"/apps/{app}/builds", body, SlipwayJson.Options), HttpStatusCode.Created);

    public Task<BuildResponse> StartBuildAsync(string app, string url, string? checksum = null, bool deploy = true) =>
        StartBuildAsync(app, new CreateBuildRequest(new SourceBlobRequest(url, checksum, null, null), null, null, null, null, null, null, null, null, deploy));

    /// <summary>
    /// Reads the build's output stream (without a token: its URL carries the key) to its end,
    /// which comes when the build has ended, then answers the build and its output.
    /// </summary>
    public async Task<(BuildResponse Build, string Output)> WaitForBuildAsync(BuildResponse build, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        using var anonymous = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var output = await anonymous.GetStringAsync(build.OutputStreamUrl, cancel.Token);
        var ended = await GetBuildAsync(build.App.Name, build.Id.ToString());
        Assert.NotEqual("pending", ended.Status);
        return (ended, output);
    }

    /// <summary>Builds from <paramref name="url"/> and waits for the build's end.</summary>
    public async Task<(BuildResponse Build, string Output)> BuildAsync(string app, string url, string? checksum = null, TimeSpan? timeout = null) =>
        await WaitForBuildAsync(await StartBuildAsync(app, url, checksum), timeout);

    public async Task<BuildResponse> GetBuildAsync(string app, string build) =>
        await ReadAsync<BuildResponse>(await http.GetAsync($"/apps/{app}/builds/{build}"), HttpStatusCode.OK);

    public async Task<List<BuildResponse>> ListBuildsAsync(string app) =>
        await ReadAsync<List<BuildResponse>>(await http.GetAsync($"/apps/{app}/builds"), HttpStatusCode.OK);

    public async Task<BuildResultResponse> GetBuildResultAsync(string app, Guid build) =>
        await ReadAsync<BuildResultResponse>(await http.GetAsync($"/apps/{app}/builds/{build}/result"), HttpStatusCode.OK);

    /// <summary>Watches a repository (<c>POST /apps/{app}/builds/auto</c>).</summary>
    public async Task<AutoDeployResponse> SetAutoDeployAsync(string app, object body) =>
        await ReadAsync<AutoDeployResponse>(await http.PostAsJsonAsync($"/apps/{app}/builds/auto", body, SlipwayJson.Options), HttpStatusCode.Created);

    public async Task<AutoDeployResponse> GetAutoDeployAsync(string app) =>
        await ReadAsync<AutoDeployResponse>(await http.GetAsync($"/apps/{app}/builds/auto"), HttpStatusCode.OK);

    // Add-ons

    public Task<HttpResponseMessage> PostAddonAsync(string app, string plan, string? name = null) =>
        http.PostAsJsonAsync($"/apps/{app}/addons", new CreateAddonRequest(plan, name), SlipwayJson.Options);

    /// <summary>Creates an add-on and waits until it is attached, whether the API answered 201 or 202.</summary>
    public async Task<AddonResponse> CreateAddonAsync(string app, string plan, string? name = null)
    {
        var response = await PostAddonAsync(app, plan, name);
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            var pending = await ReadAsync<AddonResponse>(response, HttpStatusCode.Accepted);
            var done = await WaitForAddonAsync(app, pending.Id, a => a?.State != "provisioning");
            Assert.Equal("provisioned", done?.State);
            return done!;
        }

        var created = await ReadAsync<AddonResponse>(response, HttpStatusCode.Created);
        Assert.Equal("provisioned", created.State);
        return created;
    }

    public Task<HttpResponseMessage> DeleteAddonAsync(string app, string addon) => http.DeleteAsync($"/apps/{app}/addons/{addon}");

    /// <summary>The add-on, or null once it is gone (404).</summary>
    public async Task<AddonResponse?> GetAddonAsync(string app, string addon)
    {
        var response = await http.GetAsync($"/apps/{app}/addons/{addon}");
        return response.StatusCode == HttpStatusCode.NotFound ? null : await ReadAsync<AddonResponse>(response, HttpStatusCode.OK);
    }

    public async Task<List<AddonResponse>> ListAddonsAsync(string app) =>
        await ReadAsync<List<AddonResponse>>(await http.GetAsync($"/apps/{app}/addons"), HttpStatusCode.OK);

    /// <summary>Polls the add-on until <paramref name="done"/> holds (null: gone), or fails after a minute.</summary>
    public Task<AddonResponse?> WaitForAddonAsync(string app, Guid id, Func<AddonResponse?, bool> done) => Poll.UntilAsync(
        () => GetAddonAsync(app, id.ToString()),
        done,
        addon => $"The add-on was still {addon?.State ?? "gone"} after {AddonTimeout}.",
        AddonTimeout);

    // Formation, dynos and logs

    public Task<HttpResponseMessage> PatchFormationAsync(string app, object body) =>
        http.PatchAsync($"/apps/{app}/formation", JsonContent.Create(body, body.GetType(), options: SlipwayJson.Options));

    public async Task<List<FormationResponse>> GetFormationAsync(string app) =>
        await ReadAsync<List<FormationResponse>>(await http.GetAsync($"/apps/{app}/formation"), HttpStatusCode.OK);

    public async Task<List<DynoResponse>> ListDynosAsync(string app) =>
        await ReadAsync<List<DynoResponse>>(await http.GetAsync($"/apps/{app}/dynos"), HttpStatusCode.OK);

    /// <summary>Polls the app's processes until <paramref name="done"/> holds (the runtime converges in the background).</summary>
    public Task<List<DynoResponse>> WaitForDynosAsync(string app, Func<List<DynoResponse>, bool> done) => Poll.UntilAsync(
        () => ListDynosAsync(app),
        done,
        dynos => $"The processes of {app} did not converge in {SettleTimeout.TotalSeconds} s: {string.Join(", ", dynos.Select(d => $"{d.Name} {d.State}"))}",
        SettleTimeout);

    /// <summary>The app's most recent log lines, as text.</summary>
    public Task<string> LogsAsync(string app, int lines = 1000) => http.GetStringAsync($"/apps/{app}/log-sessions?lines={lines}");

    // Answers

    /// <summary>Asserts the status and reads the JSON body.</summary>
    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await ExpectAsync(response, expected);
        return JsonSerializer.Deserialize<T>(body, SlipwayJson.Options)!;
    }

    /// <summary>Asserts a problem+json answer with this status and returns its message.</summary>
    public static async Task<string> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await ExpectAsync(response, expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonSerializer.Deserialize<ProblemResponse>(body, SlipwayJson.Options)!;
        Assert.False(string.IsNullOrEmpty(problem.Id));
        Assert.Equal(problem.Detail, problem.Message);
        return problem.Message!;
    }

    public void Dispose() => http.Dispose();

    private static async Task<string> ExpectAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return body;
    }
}
