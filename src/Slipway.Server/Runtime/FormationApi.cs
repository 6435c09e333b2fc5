using Microsoft.AspNetCore.Http.HttpResults;
using Slipway.Contracts;
using Slipway.Server.Apps;
using Slipway.Server.Http;

namespace Slipway.Server.Runtime;

/// <summary><c>/apps/{app}/formation</c> (<see cref="FormationService"/>): list, change all, change one type.</summary>
public static class FormationApi
{
    public static IEndpointRouteBuilder MapFormationApi(this IEndpointRouteBuilder app)
    {
        var formation = app.MapGroup("/formation");
        formation.MapGet("/", List);
        formation.MapPatch("/", Patch);
        formation.MapPatch("/{type}", PatchType);
        return app;
    }

    private static async Task<Ok<List<FormationResponse>>> List(RequestedApp target, FormationService formation, CancellationToken ct) =>
        TypedResults.Ok(ToResponse(target.App, await formation.GetAsync(target.App, ct)));

    private static Task<Results<Ok<List<FormationResponse>>, ProblemHttpResult>> PatchType(
        RequestedApp target, string type, FormationUpdate update, FormationService formation, CancellationToken ct) =>
        Patch(target, new FormationPatchRequest([update with { Type = type }], null), formation, ct);

    private static async Task<Results<Ok<List<FormationResponse>>, ProblemHttpResult>> Patch(
        RequestedApp target, FormationPatchRequest request, FormationService formation, CancellationToken ct)
    {
        var changed = await formation.ChangeAsync(target.App, request, ct);
        return changed.Refused ? ApiProblem.Of(changed.Refusal) : TypedResults.Ok(ToResponse(target.App, changed.Value));
    }

    private static List<FormationResponse> ToResponse(App app, Formation formation) =>
    [
        .. formation.Entries.Select(e => new FormationResponse(
            e.Type,
            e.Quantity,
            e.Command,
            e.Type == ReleaseSpec.WebType ? formation.Settings?.HealthCheckPath : null,
            formation.BootTimeoutSeconds,
            new NamedRef(app.Id, app.Key),
            formation.Settings?.UpdatedAt)),
    ];
}
