using Microsoft.AspNetCore.Http.HttpResults;
using Slipway.Contracts;
using Slipway.Server.Http;

namespace Slipway.Server.Features;

/// <summary><c>/apps/{app}/features</c> (<see cref="FeatureService"/>): list, show, and switch with <c>PATCH {"enabled": bool}</c>, in Akkeris's shape.</summary>
public static class FeaturesApi
{
    public static IEndpointRouteBuilder MapFeaturesApi(this IEndpointRouteBuilder app)
    {
        var features = app.MapGroup("/features");
        features.MapGet("/", List);
        features.MapGet("/{feature}", Get);
        features.MapPatch("/{feature}", Set);
        return app;
    }

    private static async Task<Ok<List<FeatureResponse>>> List(RequestedApp target, FeatureService features, CancellationToken ct) =>
        TypedResults.Ok((await features.ListAsync(target.App, ct)).Select(f => ToResponse(f, target.App.Key)).ToList());

    private static async Task<Results<Ok<FeatureResponse>, ProblemHttpResult>> Get(RequestedApp target, string feature, FeatureService features, CancellationToken ct)
    {
        var found = await features.FindAsync(target.App, feature, ct);
        return found.Refused ? ApiProblem.Of(found.Refusal) : TypedResults.Ok(ToResponse(found.Value, target.App.Key));
    }

    private static async Task<Results<Ok<FeatureResponse>, ProblemHttpResult>> Set(
        RequestedApp target, string feature, UpdateFeatureRequest request, FeatureService features, CancellationToken ct)
    {
        var set = await features.SetAsync(target.App, feature, request, ct);
        return set.Refused ? ApiProblem.Of(set.Refusal) : TypedResults.Ok(ToResponse(set.Value, target.App.Key));
    }

    /// <summary>Akkeris's shape; <c>doc_url</c> is the feature's own address, whose <c>description</c> documents it.</summary>
    private static FeatureResponse ToResponse(AppFeatureState state, string appKey) => new(
        state.Feature.Id,
        state.Feature.Name,
        state.Feature.DisplayName,
        state.Feature.Description,
        $"/apps/{appKey}/features/{state.Feature.Name}",
        "public",
        state.Enabled);
}
