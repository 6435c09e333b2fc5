using Slipway.Contracts;
using Slipway.Server.Releases;

namespace Slipway.Server.Pipelines;

/// <summary>How pipelines, couplings and promotions read in the API (Akkeris's shapes).</summary>
public static class PipelineMapping
{
    public static PipelineResponse ToResponse(Pipeline pipeline) => new(pipeline.Id, pipeline.Name, pipeline.CreatedAt, pipeline.UpdatedAt);

    public static PipelineCouplingResponse ToResponse(CouplingView view)
    {
        var (coupling, current, state) = view;
        return new PipelineCouplingResponse(
            coupling.Id,
            new NamedRef(coupling.AppId, coupling.App.Key),
            new NamedRef(coupling.PipelineId, coupling.Pipeline.Name),
            PipelineStages.NameOf(coupling.Stage),
            new RequiredStatusChecks(coupling.RequiredContexts),
            current is null
                ? null
                : new CouplingRelease(current.Id, current.Version, current.Description, NameOf(current.Status), ReleaseStatusService.NameOf(state), current.CreatedAt),
            coupling.CreatedAt,
            coupling.UpdatedAt);
    }

    public static PipelineStatusResponse ToResponse(PipelineContext context) => new(
        context.Context,
        context.Posted.Select(p => p.Check.Name).FirstOrDefault(n => n is not null),
        [.. context.RequiredBy.Select(c => new NamedRef(c.Coupling.AppId, c.Coupling.App.Key))],
        [.. context.Posted.Select(p => new PipelineContextState(
            new NamedRef(p.Coupling.Coupling.AppId, p.Coupling.Coupling.App.Key),
            new ReleaseRef(p.Coupling.Current!.Id, p.Coupling.Current.Version),
            ReleaseStatusService.NameOf(p.Check.State)))]);

    public static PipelinePromotionResponse ToResponse(PromotionView view)
    {
        var promotion = view.Promotion;
        return new PipelinePromotionResponse(
            promotion.Id,
            new NamedRef(promotion.PipelineId, promotion.Pipeline.Name),
            new PromotionSourceResponse(
                new NamedRef(promotion.SourceAppId, promotion.SourceAppKey),
                new ReleaseRef(promotion.SourceReleaseId, promotion.SourceVersion),
                new SpaceNameRef(promotion.SourceAppKey[(promotion.SourceAppKey.IndexOf('-', StringComparison.Ordinal) + 1)..])),
            [.. promotion.Targets.Select(t => new PromotionTargetResponse(new NamedRef(t.AppId, t.AppKey), new ReleaseRef(t.ReleaseId, t.Version), NameOf(view.StatusOf(t))))],
            NameOf(view.Status),
            promotion.Safe,
            promotion.CreatedAt,
            promotion.CreatedAt);
    }

    /// <summary>Each stage and the stage it promotes to (<c>production</c>: null), as Akkeris's <c>/pipeline-stages</c>.</summary>
    public static Dictionary<string, string?> Stages() =>
        PipelineStages.All.ToDictionary(PipelineStages.NameOf, s => PipelineStages.Next(s) is { } next ? PipelineStages.NameOf(next) : null);

    private static string NameOf(ReleaseStatus status) => status.ToString().ToLowerInvariant();
}
