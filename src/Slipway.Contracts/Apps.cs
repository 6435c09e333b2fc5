namespace Slipway.Contracts;

public sealed record NamedRef(Guid Id, string Name);

/// <summary>
/// An app. <see cref="Name"/> is the key (<c>myapp-myspace</c>), as Akkeris and Heroku
/// clients use it to address the app; <see cref="SimpleName"/> is the part before the space.
/// </summary>
public sealed record AppResponse(
    Guid Id,
    string Name,
    string SimpleName,
    NamedRef Space,
    string? WebUrl,
    int? CurrentVersion,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record CreateAppRequest(string? Name, string? Space);
