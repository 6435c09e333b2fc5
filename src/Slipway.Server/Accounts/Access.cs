using Microsoft.EntityFrameworkCore;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Spaces;

namespace Slipway.Server.Accounts;

/// <summary>
/// The one rule of who sees what: admins see everything; anyone else sees the spaces they are
/// a member of and the apps in them. Whatever a caller cannot see does not exist for them (404).
/// </summary>
public sealed class Access(SlipwayDb db)
{
    public IQueryable<Space> Spaces(Caller caller) => caller.IsAdmin
        ? db.Spaces
        : db.Spaces.Where(s => db.SpaceMembers.Any(m => m.SpaceId == s.Id && m.UserId == caller.UserId));

    public IQueryable<App> Apps(Caller caller) => caller.IsAdmin
        ? db.Apps.Include(a => a.Space)
        : db.Apps.Include(a => a.Space).Where(a => db.SpaceMembers.Any(m => m.SpaceId == a.SpaceId && m.UserId == caller.UserId));

    /// <summary>An app by key (<c>name-space</c>) or id, or null when it is missing or not the caller's to see.</summary>
    public Task<App?> FindAppAsync(Caller caller, string keyOrId, CancellationToken ct) =>
        Guid.TryParse(keyOrId, out var id)
            ? Apps(caller).FirstOrDefaultAsync(a => a.Id == id, ct)
            : Apps(caller).FirstOrDefaultAsync(a => a.Key == keyOrId.ToLowerInvariant(), ct);

    /// <summary>A space by name or id, or null when it is missing or not the caller's to see.</summary>
    public Task<Space?> FindSpaceAsync(Caller caller, string nameOrId, CancellationToken ct) =>
        Guid.TryParse(nameOrId, out var id)
            ? Spaces(caller).FirstOrDefaultAsync(s => s.Id == id, ct)
            : Spaces(caller).FirstOrDefaultAsync(s => s.Name == nameOrId.ToLowerInvariant(), ct);
}
