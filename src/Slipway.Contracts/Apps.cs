namespace Slipway.Contracts;

public sealed record NamedRef(Guid Id, string Name);

/// <summary>
/// An app, in the shape both Heroku and Akkeris clients read. <see cref="Name"/> is the key
/// (<c>myapp-myspace</c>), as those clients address the app; <see cref="SimpleName"/> is the part
/// before the space. <see cref="Owner"/> is the user who created it; <see cref="Organization"/>,
/// <see cref="Region"/> (where apps run: <c>local</c> or <c>kubernetes</c>) and <see cref="Stack"/>
/// are the server's. <see cref="GitUrl"/> is the app's git remote on this server.
/// <see cref="SlugSize"/> and <see cref="ReleasedAt"/> are the serving release's (null before the
/// first); <see cref="CurrentVersion"/> is its version.
/// </summary>
public sealed record AppResponse(
    Guid Id,
    string Name,
    string SimpleName,
    NamedRef Space,
    string? WebUrl,
    int? CurrentVersion,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    UserRef Owner,
    NamedRef Organization,
    NamedRef Region,
    NamedRef Stack,
    NamedRef BuildStack,
    string GitUrl,
    string? GitBranch,
    string? Image,
    long? RepoSize,
    long? SlugSize,
    DateTimeOffset? ReleasedAt,
    string? Description,
    DateTimeOffset? ArchivedAt,
    bool Acm,
    string CreateStatus,
    bool Preview,
    bool Maintenance);

/// <summary>
/// Creates an app: Akkeris's <c>{name, space, org, description}</c>. <see cref="Org"/>, when given,
/// names an organization of <c>GET /organizations</c>.
/// </summary>
public sealed record CreateAppRequest(string? Name, string? Space, string? Org = null, string? Description = null);

/// <summary>An organization (Akkeris's <c>/organizations</c>); Slipway has one, <c>default</c>.</summary>
public sealed record OrganizationResponse(Guid Id, string Name, string Description);

/// <summary>Akkeris's <c>POST /favorites</c>: the app (key or id) to add to the caller's favorites.</summary>
public sealed record AddFavoriteRequest(string? App);
