using Microsoft.AspNetCore.Http.HttpResults;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Apps;
using Slipway.Server.Http;

namespace Slipway.Server.Spaces;

/// <summary><c>/spaces</c>: create, list, show, delete (when empty) and membership.</summary>
public static class SpacesApi
{
    public static IEndpointRouteBuilder MapSpacesApi(this IEndpointRouteBuilder routes)
    {
        var spaces = routes.MapGroup("/spaces");
        spaces.MapGet("/", List);
        spaces.MapPost("/", Create);
        spaces.MapGet("/{space}", Get);
        spaces.MapDelete("/{space}", Delete).RequireAuthorization(Policies.Admin);
        spaces.MapGet("/{space}/members", ListMembers);
        spaces.MapPost("/{space}/members", AddMember).RequireAuthorization(Policies.Admin);
        spaces.MapDelete("/{space}/members/{user}", RemoveMember).RequireAuthorization(Policies.Admin);
        return routes;
    }

    private static async Task<Ok<List<SpaceResponse>>> List(HttpContext http, SpaceService spaces, Platform platform, CancellationToken ct) =>
        TypedResults.Ok((await spaces.ListAsync(Caller.Of(http.User), ct)).Select(s => ToResponse(s, platform)).ToList());

    private static async Task<Results<Created<SpaceResponse>, ProblemHttpResult>> Create(CreateSpaceRequest request, HttpContext http, SpaceService spaces, Platform platform, CancellationToken ct)
    {
        var created = await spaces.CreateAsync(Caller.Of(http.User), request, ct);
        return created.Refused
            ? ApiProblem.Of(created.Refusal)
            : TypedResults.Created($"/spaces/{created.Value.Name}", ToResponse(new SpaceSummary(created.Value, 0), platform));
    }

    private static async Task<Results<Ok<SpaceResponse>, ProblemHttpResult>> Get(string space, HttpContext http, SpaceService spaces, Platform platform, CancellationToken ct)
    {
        var found = await spaces.FindAsync(Caller.Of(http.User), space, ct);
        return found.Refused ? ApiProblem.Of(found.Refusal) : TypedResults.Ok(ToResponse(await spaces.SummaryAsync(found.Value, ct), platform));
    }

    private static async Task<Results<Ok<SpaceResponse>, ProblemHttpResult>> Delete(string space, HttpContext http, SpaceService spaces, Platform platform, CancellationToken ct)
    {
        var found = await spaces.FindAsync(Caller.Of(http.User), space, ct);
        if (found.Refused)
        {
            return ApiProblem.Of(found.Refusal);
        }

        return await spaces.DeleteAsync(found.Value, ct) is { } refusal ? ApiProblem.Of(refusal) : TypedResults.Ok(ToResponse(new SpaceSummary(found.Value, 0), platform));
    }

    private static async Task<Results<Ok<List<SpaceMemberResponse>>, ProblemHttpResult>> ListMembers(string space, HttpContext http, SpaceService spaces, CancellationToken ct)
    {
        var found = await spaces.FindAsync(Caller.Of(http.User), space, ct);
        return found.Refused
            ? ApiProblem.Of(found.Refusal)
            : TypedResults.Ok((await spaces.MembersAsync(found.Value, ct)).Select(ToMemberResponse).ToList());
    }

    private static async Task<Results<Ok<SpaceMemberResponse>, ProblemHttpResult>> AddMember(string space, AddSpaceMemberRequest request, HttpContext http, SpaceService spaces, CancellationToken ct)
    {
        var found = await spaces.FindAsync(Caller.Of(http.User), space, ct);
        if (found.Refused)
        {
            return ApiProblem.Of(found.Refusal);
        }

        var added = await spaces.AddMemberAsync(found.Value, request.User, ct);
        return added.Refused ? ApiProblem.Of(added.Refusal) : TypedResults.Ok(ToMemberResponse(added.Value));
    }

    private static async Task<Results<Ok<SpaceMemberResponse>, ProblemHttpResult>> RemoveMember(string space, string user, HttpContext http, SpaceService spaces, CancellationToken ct)
    {
        var found = await spaces.FindAsync(Caller.Of(http.User), space, ct);
        if (found.Refused)
        {
            return ApiProblem.Of(found.Refusal);
        }

        var removed = await spaces.RemoveMemberAsync(found.Value, user, ct);
        return removed.Refused ? ApiProblem.Of(removed.Refusal) : TypedResults.Ok(ToMemberResponse(removed.Value));
    }

    /// <summary>The API's view of a space: its own facts, and the region and stack of the <see cref="Platform"/>.</summary>
    internal static SpaceResponse ToResponse(SpaceSummary summary, Platform platform)
    {
        var space = summary.Space;
        return new(space.Id, space.Name, space.Description, space.CreatedAt, space.UpdatedAt, summary.Apps, space.Compliance, platform.Region, platform.Stack, "allocated");
    }

    private static SpaceMemberResponse ToMemberResponse(User user) => new(user.Id, user.Email, user.Name);
}
