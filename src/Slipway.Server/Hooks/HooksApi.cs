using Microsoft.AspNetCore.Http.HttpResults;
using Slipway.Contracts;
using Slipway.Server.Http;

namespace Slipway.Server.Hooks;

/// <summary>Akkeris's webhook routes, <c>/apps/{app}/hooks[/{id}[/results]]</c>, over <see cref="HookService"/>.</summary>
public static class HooksApi
{
    public static IEndpointRouteBuilder MapHooksApi(this IEndpointRouteBuilder app)
    {
        var hooks = app.MapGroup("/hooks");
        hooks.MapGet("/", List);
        hooks.MapPost("/", Create);
        hooks.MapGet("/{id}", Get);
        hooks.MapPatch("/{id}", Update);
        hooks.MapDelete("/{id}", Delete);
        hooks.MapGet("/{id}/results", Results);
        return app;
    }

    private static async Task<Ok<List<HookResponse>>> List(RequestedApp target, HookService hooks, CancellationToken ct) =>
        TypedResults.Ok((await hooks.ListAsync(target.App, ct)).Select(v => HookMapping.ToResponse(target.App, v)).ToList());

    private static async Task<Results<Created<HookResponse>, ProblemHttpResult>> Create(RequestedApp target, CreateHookRequest request, HookService hooks, CancellationToken ct)
    {
        var created = await hooks.CreateAsync(target.App, request, ct);
        return created.Refused
            ? ApiProblem.Of(created.Refusal)
            : TypedResults.Created($"/apps/{target.App.Key}/hooks/{created.Value.Hook.Id}", HookMapping.ToResponse(target.App, created.Value));
    }

    private static async Task<Results<Ok<HookResponse>, ProblemHttpResult>> Get(RequestedApp target, string id, HookService hooks, CancellationToken ct) =>
        Answer(target, await hooks.FindAsync(target.App, id, ct));

    private static async Task<Results<Ok<HookResponse>, ProblemHttpResult>> Update(RequestedApp target, string id, UpdateHookRequest request, HookService hooks, CancellationToken ct) =>
        Answer(target, await hooks.UpdateAsync(target.App, id, request, ct));

    private static async Task<Results<Ok<HookResponse>, ProblemHttpResult>> Delete(RequestedApp target, string id, HookService hooks, CancellationToken ct) =>
        Answer(target, await hooks.DeleteAsync(target.App, id, ct));

    private static async Task<Results<Ok<List<HookResultResponse>>, ProblemHttpResult>> Results(RequestedApp target, string id, HookService hooks, CancellationToken ct)
    {
        var found = await hooks.ResultsAsync(target.App, id, ct);
        return found.Refused
            ? ApiProblem.Of(found.Refusal)
            : TypedResults.Ok(found.Value.Attempts.Select(a => HookMapping.ToResponse(found.Value.Hook, a)).ToList());
    }

    private static Results<Ok<HookResponse>, ProblemHttpResult> Answer(RequestedApp target, Answer<HookView> answer) =>
        answer.Refused ? ApiProblem.Of(answer.Refusal) : TypedResults.Ok(HookMapping.ToResponse(target.App, answer.Value));
}
