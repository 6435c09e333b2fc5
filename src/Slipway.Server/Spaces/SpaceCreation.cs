using Microsoft.EntityFrameworkCore;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Http;

namespace Slipway.Server.Spaces;

/// <summary>Creating a space, for the API and the dashboard alike. Anyone may; a non-admin creator becomes its first member.</summary>
public static class SpaceCreation
{
    /// <summary>Creates the space; exactly one of the answer's parts is set.</summary>
    public static async Task<(Space? Space, Refusal? Refusal)> CreateAsync(CreateSpaceRequest request, Caller caller, SlipwayDb db, TimeProvider clock, CancellationToken ct)
    {
        var name = request.Name?.Trim();
        if (Names.SpaceNameProblem(name) is { } problem)
        {
            return (null, Refusal.Invalid(problem, nameof(request.Name)));
        }

        if (await db.Spaces.AnyAsync(s => s.Name == name, ct))
        {
            return (null, Refusal.Conflict($"Space '{name}' already exists.", nameof(request.Name)));
        }

        var now = clock.GetUtcNow();
        var space = Space.Create(name!, request.Description, now);
        if (!caller.IsAdmin)
        {
            space.AddMember(await db.Users.SingleAsync(u => u.Id == caller.UserId, ct), now);
        }

        db.Spaces.Add(space);
        if (!await db.TrySaveUniqueAsync(ct))
        {
            return (null, Refusal.Conflict($"Space '{name}' already exists.", nameof(request.Name)));
        }

        return (space, null);
    }
}
