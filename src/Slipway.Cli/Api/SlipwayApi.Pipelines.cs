using Slipway.Contracts;

namespace Slipway.Cli.Api;

/// <summary>Pipelines' calls: <c>/pipelines</c>, <c>/pipeline-couplings</c>, <c>/pipeline-promotions</c>.</summary>
public sealed partial class SlipwayApi
{
    public Task<ApiResult<List<PipelineResponse>>> ListPipelinesAsync(CancellationToken ct) =>
        SendAsync<List<PipelineResponse>>(HttpMethod.Get, "pipelines", null, ct);

    public Task<ApiResult<PipelineResponse>> CreatePipelineAsync(CreatePipelineRequest request, CancellationToken ct) =>
        SendAsync<PipelineResponse>(HttpMethod.Post, "pipelines", request, ct);

    public Task<ApiResult<PipelineResponse>> GetPipelineAsync(string pipeline, CancellationToken ct) =>
        SendAsync<PipelineResponse>(HttpMethod.Get, $"pipelines/{Segment(pipeline)}", null, ct);

    public Task<ApiResult<PipelineResponse>> DestroyPipelineAsync(string pipeline, CancellationToken ct) =>
        SendAsync<PipelineResponse>(HttpMethod.Delete, $"pipelines/{Segment(pipeline)}", null, ct);

    public Task<ApiResult<List<PipelineCouplingResponse>>> ListCouplingsAsync(string pipeline, CancellationToken ct) =>
        SendAsync<List<PipelineCouplingResponse>>(HttpMethod.Get, $"pipelines/{Segment(pipeline)}/pipeline-couplings", null, ct);

    public Task<ApiResult<PipelineCouplingResponse>> GetCouplingOfAppAsync(string app, CancellationToken ct) =>
        SendAsync<PipelineCouplingResponse>(HttpMethod.Get, $"apps/{Segment(app)}/pipeline-couplings", null, ct);

    public Task<ApiResult<PipelineCouplingResponse>> CreateCouplingAsync(CreatePipelineCouplingRequest request, CancellationToken ct) =>
        SendAsync<PipelineCouplingResponse>(HttpMethod.Post, "pipeline-couplings", request, ct);

    public Task<ApiResult<PipelineCouplingResponse>> DeleteCouplingAsync(Guid coupling, CancellationToken ct) =>
        SendAsync<PipelineCouplingResponse>(HttpMethod.Delete, $"pipeline-couplings/{coupling}", null, ct);

    public Task<ApiResult<PipelinePromotionResponse>> PromoteAsync(CreatePipelinePromotionRequest request, CancellationToken ct) =>
        SendAsync<PipelinePromotionResponse>(HttpMethod.Post, "pipeline-promotions", request, ct);

    public Task<ApiResult<PipelinePromotionResponse>> GetPromotionAsync(Guid promotion, CancellationToken ct) =>
        SendAsync<PipelinePromotionResponse>(HttpMethod.Get, $"pipeline-promotions/{promotion}", null, ct);

    /// <summary>Polls a promotion until no target's release is pending.</summary>
    public Task<PipelinePromotionResponse> WaitUntilPromotedAsync(PipelinePromotionResponse promotion, CancellationToken ct) =>
        PollAsync(promotion, p => p.Status == "pending", async p => (await GetPromotionAsync(p.Id, ct)).Value, ct);
}
