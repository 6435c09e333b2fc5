using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Slipway.Contracts;
using Slipway.Server.Apps;
using Slipway.Server.Http;

namespace Slipway.Server.Runtime;

/// <summary>
/// <c>/apps/{app}/formation</c> (<see cref="FormationService"/>): list, change all, change one type.
/// The batch change takes Heroku's <c>{"updates": [...]}</c> and Akkeris's bare array of updates.
/// </summary>
public static class FormationApi
{
    public static IEndpointRouteBuilder MapFormationApi(this IEndpointRouteBuilder app)
    {
        var formation = app.MapGroup("/formation");
        formation.MapGet("/", List);
        formation.MapPatch("/", Patch).Accepts<FormationPatchRequest>("application/json");
        formation.MapPatch("/{type}", PatchType);
        return app;
    }

    private static async Task<Ok<List<FormationResponse>>> List(RequestedApp target, FormationService formation, CancellationToken ct) =>
        TypedResults.Ok(ToResponse(target.App, await formation.GetAsync(target.App, ct)));

    private static Task<Results<Ok<List<FormationResponse>>, ProblemHttpResult>> PatchType(
        RequestedApp target, string type, FormationUpdate update, FormationService formation, CancellationToken ct) =>
        ChangeAsync(target, new FormationPatchRequest([update with { Type = type }], null), formation, ct);

    /// <summary>Heroku's <c>{"updates": [...], "boot_timeout": N}</c>, or Akkeris's <c>[...]</c> (the updates alone).</summary>
    private static async Task<Results<Ok<List<FormationResponse>>, ProblemHttpResult>> Patch(
        RequestedApp target, JsonElement body, IOptions<JsonOptions> json, FormationService formation, CancellationToken ct)
    {
        FormationPatchRequest? request;
        try
        {
            request = body.ValueKind == JsonValueKind.Array
                ? new FormationPatchRequest(body.Deserialize<List<FormationUpdate>>(json.Value.SerializerOptions), null)
                : body.Deserialize<FormationPatchRequest>(json.Value.SerializerOptions);
        }
        catch (JsonException e)
        {
            return ApiProblem.BadRequest($"The request body is not valid JSON for this route: {e.Message}");
        }

        return request is null
            ? ApiProblem.BadRequest("The body must be {\"updates\": [...]} or an array of updates.")
            : await ChangeAsync(target, request, formation, ct);
    }

    private static async Task<Results<Ok<List<FormationResponse>>, ProblemHttpResult>> ChangeAsync(
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
            formation.Settings?.UpdatedAt,
            Platform.Size)),
    ];
}
