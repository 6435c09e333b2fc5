using Microsoft.EntityFrameworkCore;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Http;

namespace Slipway.Server.Spaces;

/// <summary>
/// Spaces, for the API and the dashboard alike. Anyone may create one (a non-admin creator
/// becomes its first member); a space the caller is not a member of does not exist for them.
/// </summary>
public sealed class SpaceService(SlipwayDb db, Access access, TimeProvider clock)
{
    public async Task<List<Space>> ListAsync(Caller caller, CancellationToken ct) =>
        await access.Spaces(caller).AsNoTracking().OrderBy(s => s.Name).ToListAsync(ct);

    /// <summary>A space the caller may see, by name or id.</summary>
    public async Task<Answer<Space>> FindAsync(Caller caller, string reference, CancellationToken ct) =>
        await access.FindSpaceAsync(caller, reference, ct) is { } space ? space : Refusal.NotFound($"Space '{reference}' not found.");

    public async Task<Answer<Space>> CreateAsync(Caller caller, CreateSpaceRequest request, CancellationToken ct)
    {
        var name = request.Name?.Trim();
        if (Names.SpaceNameProblem(name) is { } problem)
        {
            return Refusal.Invalid(problem, nameof(request.Name));
        }

        if (await db.Spaces.AnyAsync(s => s.Name == name, ct))
        {
            return Refusal.Conflict($"Space '{name}' already exists.", nameof(request.Name));
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
            return Refusal.Conflict($"Space '{name}' already exists.", nameof(request.Name));
        }

        return space;
    }

    /// <summary>Deletes an empty space; null when it is gone.</summary>
    public async Task<Refusal?> DeleteAsync(Space space, CancellationToken ct)
    {
        if (await db.Apps.AnyAsync(a => a.SpaceId == space.Id, ct))
        {
            return Refusal.Conflict($"Space '{space.Name}' still has apps; destroy them first.");
        }

        db.Spaces.Remove(space);
        await db.SaveChangesAsync(ct);
        return null;
    }

    public async Task<List<User>> MembersAsync(Space space, CancellationToken ct) =>
        await db.SpaceMembers.AsNoTracking()
            .Where(m => m.SpaceId == space.Id)
            .OrderBy(m => m.User.Email)
            .Select(m => m.User)
            .ToListAsync(ct);

    /// <summary>Makes the user (by id or email) a member; a member already is one.</summary>
    public async Task<Answer<User>> AddMemberAsync(Space space, string? user, CancellationToken ct)
    {
        var who = user?.Trim() ?? "";
        var found = Guid.TryParse(who, out var id)
            ? await db.Users.FirstOrDefaultAsync(u => u.Id == id, ct)
            : await db.Users.FirstOrDefaultAsync(u => u.Email == who.ToLowerInvariant(), ct);
        if (found is null)
        {
            return Refusal.NotFound($"User '{who}' not found.", nameof(AddSpaceMemberRequest.User));
        }

        await db.Entry(space).Collection(s => s.Members).LoadAsync(ct);
        space.AddMember(found, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return found;
    }
}
