namespace Slipway.Contracts;

public sealed record SpaceResponse(Guid Id, string Name, string? Description, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record CreateSpaceRequest(string? Name, string? Description);

/// <summary>Adds a user, named by email or id, to a space.</summary>
public sealed record AddSpaceMemberRequest(string? User);

public sealed record SpaceMemberResponse(Guid Id, string Email, string? Name);
