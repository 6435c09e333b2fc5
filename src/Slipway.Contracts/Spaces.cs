namespace Slipway.Contracts;

/// <summary>
/// A space, as Akkeris shows it: <see cref="Apps"/> is how many apps it holds, <see cref="Compliance"/>
/// its tags (<c>internal</c>, <c>prod</c>, ...), <see cref="Region"/> and <see cref="Stack"/> the
/// server's, <see cref="State"/> always <c>allocated</c>.
/// </summary>
public sealed record SpaceResponse(
    Guid Id,
    string Name,
    string? Description,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int Apps,
    IReadOnlyList<string> Compliance,
    NamedRef Region,
    NamedRef Stack,
    string State);

/// <summary>Creates a space; Akkeris's <c>compliance</c> tags and <c>stack</c> (the server's, when given) are optional.</summary>
public sealed record CreateSpaceRequest(string? Name, string? Description, List<string>? Compliance = null, string? Stack = null);

/// <summary>Adds a user, named by email or id, to a space.</summary>
public sealed record AddSpaceMemberRequest(string? User);

public sealed record SpaceMemberResponse(Guid Id, string Email, string? Name);
