using Slipway.Contracts;

namespace Slipway.Cli.Api;

/// <summary>Webhooks' calls: <c>/apps/{app}/hooks[/{id}[/results]]</c>.</summary>
public sealed partial class SlipwayApi
{
    public Task<ApiResult<List<HookResponse>>> ListHooksAsync(string app, CancellationToken ct) =>
        SendAsync<List<HookResponse>>(HttpMethod.Get, $"apps/{Segment(app)}/hooks", null, ct);

    public Task<ApiResult<HookResponse>> CreateHookAsync(string app, CreateHookRequest request, CancellationToken ct) =>
        SendAsync<HookResponse>(HttpMethod.Post, $"apps/{Segment(app)}/hooks", request, ct);

    public Task<ApiResult<HookResponse>> DestroyHookAsync(string app, string hook, CancellationToken ct) =>
        SendAsync<HookResponse>(HttpMethod.Delete, $"apps/{Segment(app)}/hooks/{Segment(hook)}", null, ct);

    public Task<ApiResult<List<HookResultResponse>>> HookResultsAsync(string app, string hook, CancellationToken ct) =>
        SendAsync<List<HookResultResponse>>(HttpMethod.Get, $"apps/{Segment(app)}/hooks/{Segment(hook)}/results", null, ct);
}
