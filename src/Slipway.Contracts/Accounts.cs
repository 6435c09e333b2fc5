namespace Slipway.Contracts;

/// <summary>A user; <see cref="Disabled"/> users keep their history and memberships but no token of theirs is accepted.</summary>
public sealed record AccountResponse(Guid Id, string Email, string? Name, bool Admin, DateTimeOffset CreatedAt, bool Disabled = false);

public sealed record CreateUserRequest(string? Email, string? Name, bool Admin = false);

/// <summary>Changes a user (admins only): <c>{"disabled": true}</c> locks her out at once, <c>false</c> lets her back in.</summary>
public sealed record UpdateUserRequest(bool? Disabled);

/// <summary>A new user and its first token; the token is shown here once and never again.</summary>
public sealed record CreatedUserResponse(AccountResponse User, TokenResponse Token);

public sealed record CreateTokenRequest(string? Description);

/// <summary>A token as created: <see cref="Token"/> is the secret, shown once.</summary>
public sealed record TokenResponse(Guid Id, string Token, string? Description, DateTimeOffset CreatedAt);

/// <summary>A token as listed or revoked: never its secret.</summary>
public sealed record TokenInfoResponse(Guid Id, string? Description, DateTimeOffset CreatedAt);
