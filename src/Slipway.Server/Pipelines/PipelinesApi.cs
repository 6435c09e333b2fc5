using Microsoft.AspNetCore.Http.HttpResults;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Http;

namespace Slipway.Server.Pipelines;

/// <summary>
/// Akkeris's pipeline routes: <c>/pipelines</c>, <c>/pipeline-stages</c>, <c>/pipeline-couplings</c>,
/// <c>/apps/{app}/pipeline-couplings</c> and <c>/pipeline-promotions</c>, over <see cref="PipelineService"/>
/// and <see cref="PromotionService"/>.
/// </summary>
public static class PipelinesApi
{
    public static IEndpointRouteBuilder MapPipelinesApi(this IEndpointRouteBuilder routes, RouteGroupBuilder appRoutes)
    {
        var pipelines = routes.MapGroup("/pipelines");
        pipelines.MapGet("/", List);
        pipelines.MapPost("/", Create);
        pipelines.MapGet("/{pipeline}", Get);
        pipelines.MapDelete("/{pipeline}", Delete);
        pipelines.MapGet("/{pipeline}/pipeline-couplings", ListCouplingsOf);
        pipelines.MapGet("/{pipeline}/statuses", ListStatuses);

        routes.MapGet("/pipeline-stages", () => TypedResults.Ok(PipelineMapping.Stages()));

        var couplings = routes.MapGroup("/pipeline-couplings");
        couplings.MapGet("/", ListCouplings);
        couplings.MapPost("/", CreateCoupling);
        couplings.MapGet("/{id}", GetCoupling);
        couplings.MapPatch("/{id}", UpdateCoupling);
        couplings.MapDelete("/{id}", DeleteCoupling);
        appRoutes.MapGet("/pipeline-couplings", GetCouplingOfApp);

        var promotions = routes.MapGroup("/pipeline-promotions");
        promotions.MapPost("/", Promote);
        promotions.MapGet("/{id}", GetPromotion);
        return routes;
    }

    private static async Task<Ok<List<PipelineResponse>>> List(PipelineService pipelines, CancellationToken ct) =>
        TypedResults.Ok((await pipelines.ListAsync(ct)).Select(PipelineMapping.ToResponse).ToList());

    private static async Task<Results<Created<PipelineResponse>, ProblemHttpResult>> Create(CreatePipelineRequest request, PipelineService pipelines, CancellationToken ct)
    {
        var created = await pipelines.CreateAsync(request, ct);
        return created.Refused ? ApiProblem.Of(created.Refusal) : TypedResults.Created($"/pipelines/{created.Value.Name}", PipelineMapping.ToResponse(created.Value));
    }

    private static async Task<Results<Ok<PipelineResponse>, ProblemHttpResult>> Get(string pipeline, PipelineService pipelines, CancellationToken ct)
    {
        var found = await pipelines.FindAsync(pipeline, ct);
        return found.Refused ? ApiProblem.Of(found.Refusal) : TypedResults.Ok(PipelineMapping.ToResponse(found.Value));
    }

    private static async Task<Results<Ok<PipelineResponse>, ProblemHttpResult>> Delete(string pipeline, HttpContext http, PipelineService pipelines, CancellationToken ct)
    {
        var deleted = await pipelines.DeleteAsync(Caller.Of(http.User), pipeline, ct);
        return deleted.Refused ? ApiProblem.Of(deleted.Refusal) : TypedResults.Ok(PipelineMapping.ToResponse(deleted.Value));
    }

    private static async Task<Results<Ok<List<PipelineCouplingResponse>>, ProblemHttpResult>> ListCouplingsOf(string pipeline, HttpContext http, PipelineService pipelines, CancellationToken ct)
    {
        var found = await pipelines.FindAsync(pipeline, ct);
        return found.Refused
            ? ApiProblem.Of(found.Refusal)
            : TypedResults.Ok((await pipelines.CouplingsAsync(Caller.Of(http.User), found.Value, ct)).Select(PipelineMapping.ToResponse).ToList());
    }

    private static async Task<Results<Ok<List<PipelineStatusResponse>>, ProblemHttpResult>> ListStatuses(string pipeline, HttpContext http, PipelineService pipelines, CancellationToken ct)
    {
        var found = await pipelines.ContextsAsync(Caller.Of(http.User), pipeline, ct);
        return found.Refused ? ApiProblem.Of(found.Refusal) : TypedResults.Ok(found.Value.Select(PipelineMapping.ToResponse).ToList());
    }

    private static async Task<Ok<List<PipelineCouplingResponse>>> ListCouplings(HttpContext http, PipelineService pipelines, CancellationToken ct) =>
        TypedResults.Ok((await pipelines.CouplingsAsync(Caller.Of(http.User), null, ct)).Select(PipelineMapping.ToResponse).ToList());

    private static async Task<Results<Created<PipelineCouplingResponse>, ProblemHttpResult>> CreateCoupling(
        CreatePipelineCouplingRequest request, HttpContext http, PipelineService pipelines, CancellationToken ct)
    {
        var created = await pipelines.CreateCouplingAsync(Caller.Of(http.User), request, ct);
        return created.Refused
            ? ApiProblem.Of(created.Refusal)
            : TypedResults.Created($"/pipeline-couplings/{created.Value.Coupling.Id}", PipelineMapping.ToResponse(created.Value));
    }

    private static async Task<Results<Ok<PipelineCouplingResponse>, ProblemHttpResult>> GetCoupling(string id, HttpContext http, PipelineService pipelines, CancellationToken ct) =>
        Answer(await pipelines.FindCouplingAsync(Caller.Of(http.User), id, ct));

    private static async Task<Results<Ok<PipelineCouplingResponse>, ProblemHttpResult>> UpdateCoupling(
        string id, UpdatePipelineCouplingRequest request, HttpContext http, PipelineService pipelines, CancellationToken ct) =>
        Answer(await pipelines.UpdateCouplingAsync(Caller.Of(http.User), id, request, ct));

    private static async Task<Results<Ok<PipelineCouplingResponse>, ProblemHttpResult>> DeleteCoupling(string id, HttpContext http, PipelineService pipelines, CancellationToken ct) =>
        Answer(await pipelines.DeleteCouplingAsync(Caller.Of(http.User), id, ct));

    private static async Task<Results<Ok<PipelineCouplingResponse>, ProblemHttpResult>> GetCouplingOfApp(RequestedApp target, PipelineService pipelines, CancellationToken ct) =>
        Answer(await pipelines.CouplingOfAsync(target.App, ct));

    private static async Task<Results<Created<PipelinePromotionResponse>, ProblemHttpResult>> Promote(
        CreatePipelinePromotionRequest request, HttpContext http, PromotionService promotions, CancellationToken ct)
    {
        var read = PromotionService.Read(request);
        if (read.Refused)
        {
            return ApiProblem.Of(read.Refusal);
        }

        var made = await promotions.PromoteAsync(Caller.Of(http.User), read.Value, ct);
        return made.Refused
            ? ApiProblem.Of(made.Refusal)
            : TypedResults.Created($"/pipeline-promotions/{made.Value.Promotion.Id}", PipelineMapping.ToResponse(made.Value));
    }

    private static async Task<Results<Ok<PipelinePromotionResponse>, ProblemHttpResult>> GetPromotion(string id, HttpContext http, PromotionService promotions, CancellationToken ct)
    {
        var found = await promotions.FindAsync(Caller.Of(http.User), id, ct);
        return found.Refused ? ApiProblem.Of(found.Refusal) : TypedResults.Ok(PipelineMapping.ToResponse(found.Value));
    }

    private static Results<Ok<PipelineCouplingResponse>, ProblemHttpResult> Answer(Answer<CouplingView> answer) =>
        answer.Refused ? ApiProblem.Of(answer.Refusal) : TypedResults.Ok(PipelineMapping.ToResponse(answer.Value));
}
