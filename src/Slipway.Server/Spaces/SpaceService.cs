using Microsoft.EntityFrameworkCore;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Http;

namespace Slipway.Server.Spaces;

/// <summary>A space with how many apps it holds.</summary>
public sealed record SpaceSummary(Space Space, int Apps);

/// <summary>
/// Spaces, for the API and the dashboard alike. Anyone may create one (a non-admin creator
/// becomes its first member); a space the caller is not a member of does not exist for them.
/// </summary>
public sealed class SpaceService(SlipwayDb db, Access access, Platform platform, TimeProvider clock)
{
    public const int MaxComplianceTags = 20;

    /// <summary>The spaces the caller may see, by name, each with its number of apps.</summary>
    public async Task<List<SpaceSummary>> ListAsync(Caller caller, CancellationToken ct) =>
        await access.Spaces(caller).AsNoTracking()
            .OrderBy(s => s.Name)
            .Select(s => new SpaceSummary(s, db.Apps.Count(a => a.SpaceId == s.Id)))
            .ToListAsync(ct);

    public async Task<SpaceSummary> SummaryAsync(Space space, CancellationToken ct) =>
        new(space, await db.Apps.CountAsync(a => a.SpaceId == space.Id, ct));

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

        if (request.Description?.Length > Names.MaxDescription)
        {
            return Refusal.TooLong("description", request.Description.Length, Names.MaxDescription, nameof(request.Description));
        }

        if (!string.IsNullOrWhiteSpace(request.Stack) && !platform.IsStack(request.Stack))
        {
            return Refusal.Invalid($"Stack '{request.Stack}' does not exist: this server builds on one stack, '{platform.Stack.Name}'.", nameof(request.Stack));
        }

        var compliance = (request.Compliance ?? []).Select(t => t?.Trim().ToLowerInvariant() ?? "").Distinct().ToList();
        if (compliance.Count > MaxComplianceTags)
        {
            return Refusal.Invalid($"A space takes at most {MaxComplianceTags} compliance tags.", nameof(request.Compliance));
        }

        if (compliance.FirstOrDefault(t => Names.SpaceNameProblem(t) is not null) is { } badTag)
        {
            return Refusal.Invalid($"Compliance tag '{badTag}' is not valid: use lowercase letters, digits and dashes (e.g. internal, prod).", nameof(request.Compliance));
        }

        if (await db.Spaces.AnyAsync(s => s.Name == name, ct))
        {
            return await NameTakenAsync(caller, name!, ct);
        }

        var now = clock.GetUtcNow();
        var space = Space.Create(name!, request.Description, compliance, now);
        if (!caller.IsAdmin)
        {
            space.AddMember(await db.Users.SingleAsync(u => u.Id == caller.UserId, ct), now);
        }

        db.Spaces.Add(space);
        if (!await db.TrySaveUniqueAsync(ct))
        {
            return await NameTakenAsync(caller, name!, ct);
        }

        return space;
    }

    /// <summary>
    /// A taken name: whoever may see the space is told it exists; anyone else gets the answer a
    /// name they may not use gets, which does not confirm that a space has it.
    /// </summary>
    private async Task<Refusal> NameTakenAsync(Caller caller, string name, CancellationToken ct) =>
        await access.FindSpaceAsync(caller, name, ct) is not null
            ? Refusal.Conflict($"Space '{name}' already exists.", nameof(CreateSpaceRequest.Name))
            : Refusal.Conflict($"The space name '{name}' cannot be used; choose another, or ask an admin about it.", nameof(CreateSpaceRequest.Name));

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

    /// <summary>Takes a member (by id or email) out of the space: her next request no longer sees it or its apps.</summary>
    public async Task<Answer<User>> RemoveMemberAsync(Space space, string user, CancellationToken ct)
    {
        var who = user.Trim();
        await db.Entry(space).Collection(s => s.Members).Query().Include(m => m.User).LoadAsync(ct);
        var member = space.Members.FirstOrDefault(m => Guid.TryParse(who, out var id) ? m.UserId == id : m.User.Email == who.ToLowerInvariant());
        if (member is null || !space.RemoveMember(member.UserId, clock.GetUtcNow()))
        {
            return Refusal.NotFound($"User '{who}' is not a member of space '{space.Name}'.");
        }

        await db.SaveChangesAsync(ct);
        return member.User;
    }
}
