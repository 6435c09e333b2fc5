using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Data;
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
        return routes;
    }

    private static async Task<Ok<List<SpaceResponse>>> List(HttpContext http, Access access, CancellationToken ct)
    {
        var spaces = await access.Spaces(Caller.Of(http.User)).AsNoTracking().OrderBy(s => s.Name).ToListAsync(ct);
        return TypedResults.Ok(spaces.Select(ToResponse).ToList());
    }

    private static async Task<Results<Created<SpaceResponse>, ProblemHttpResult>> Create(CreateSpaceRequest request, HttpContext http, SlipwayDb db, TimeProvider clock, CancellationToken ct)
    {
        var (space, refusal) = await SpaceCreation.CreateAsync(request, Caller.Of(http.User), db, clock, ct);
        return refusal is not null
            ? ApiProblem.Of(refusal)
            : TypedResults.Created($"/spaces/{space!.Name}", ToResponse(space));
    }

    private static async Task<Results<Ok<SpaceResponse>, ProblemHttpResult>> Get(string space, HttpContext http, Access access, CancellationToken ct)
    {
        var found = await access.FindSpaceAsync(Caller.Of(http.User), space, ct);
        return found is null ? SpaceNotFound(space) : TypedResults.Ok(ToResponse(found));
    }

    private static async Task<Results<Ok<SpaceResponse>, ProblemHttpResult>> Delete(string space, HttpContext http, Access access, SlipwayDb db, CancellationToken ct)
    {
        var found = await access.FindSpaceAsync(Caller.Of(http.User), space, ct);
        if (found is null)
        {
            return SpaceNotFound(space);
        }

        if (await db.Apps.AnyAsync(a => a.SpaceId == found.Id, ct))
        {
            return ApiProblem.Conflict($"Space '{found.Name}' still has apps; destroy them first.");
        }

        db.Spaces.Remove(found);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToResponse(found));
    }

    private static async Task<Results<Ok<List<SpaceMemberResponse>>, ProblemHttpResult>> ListMembers(string space, HttpContext http, Access access, SlipwayDb db, CancellationToken ct)
    {
        var found = await access.FindSpaceAsync(Caller.Of(http.User), space, ct);
        if (found is null)
        {
            return SpaceNotFound(space);
        }

        var members = await db.SpaceMembers.AsNoTracking()
            .Where(m => m.SpaceId == found.Id)
            .OrderBy(m => m.User.Email)
            .Select(m => new SpaceMemberResponse(m.User.Id, m.User.Email, m.User.Name))
            .ToListAsync(ct);
        return TypedResults.Ok(members);
    }

    private static async Task<Results<Ok<SpaceMemberResponse>, ProblemHttpResult>> AddMember(string space, AddSpaceMemberRequest request, HttpContext http, Access access, SlipwayDb db, TimeProvider clock, CancellationToken ct)
    {
        var found = await access.FindSpaceAsync(Caller.Of(http.User), space, ct);
        if (found is null)
        {
            return SpaceNotFound(space);
        }

        var who = request.User?.Trim() ?? "";
        var user = Guid.TryParse(who, out var id)
            ? await db.Users.FirstOrDefaultAsync(u => u.Id == id, ct)
            : await db.Users.FirstOrDefaultAsync(u => u.Email == who.ToLowerInvariant(), ct);
        if (user is null)
        {
            return ApiProblem.NotFound($"User '{who}' not found.");
        }

        await db.Entry(found).Collection(s => s.Members).LoadAsync(ct);
        found.AddMember(user, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new SpaceMemberResponse(user.Id, user.Email, user.Name));
    }

    private static ProblemHttpResult SpaceNotFound(string space) => ApiProblem.NotFound($"Space '{space}' not found.");

    internal static SpaceResponse ToResponse(Space space) => new(space.Id, space.Name, space.Description, space.CreatedAt, space.UpdatedAt);
}
