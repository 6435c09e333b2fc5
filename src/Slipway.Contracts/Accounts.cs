namespace Slipway.Contracts;

public sealed record AccountResponse(Guid Id, string Email, string? Name, bool Admin, DateTimeOffset CreatedAt);

public sealed record CreateUserRequest(string? Email, string? Name, bool Admin = false);

/// <summary>A new user and its first token; the token is shown here once and never again.</summary>
public sealed record CreatedUserResponse(AccountResponse User, TokenResponse Token);

public sealed record CreateTokenRequest(string? Description);

/// <summary>A token as created: <see cref="Token"/> is the secret, shown once.</summary>
public sealed record TokenResponse(Guid Id, string Token, string? Description, DateTimeOffset CreatedAt);
