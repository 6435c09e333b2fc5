using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Slipway.Contracts;
using Slipway.Server.Data;
using Slipway.Server.Http;

namespace Slipway.Server.Accounts;

/// <summary><c>/account</c> (who am I) and the admin's <c>/users</c> with their tokens.</summary>
public static class AccountsApi
{
    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/account", GetAccount);
        var users = routes.MapGroup("/users");
        users.MapGet("/", ListUsers).RequireAuthorization(Policies.Admin);
        users.MapPost("/", CreateUser).RequireAuthorization(Policies.Admin);
        users.MapPost("/{user}/tokens", CreateToken);
        return routes;
    }

    private static async Task<Results<Ok<AccountResponse>, ProblemHttpResult>> GetAccount(HttpContext http, SlipwayDb db, CancellationToken ct)
    {
        var caller = Caller.Of(http.User);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == caller.UserId, ct);
        return user is null ? ApiProblem.NotFound("Your user no longer exists.") : TypedResults.Ok(ToResponse(user));
    }

    private static async Task<Ok<List<AccountResponse>>> ListUsers(SlipwayDb db, CancellationToken ct)
    {
        var users = await db.Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync(ct);
        return TypedResults.Ok(users.Select(ToResponse).ToList());
    }

    private static async Task<Results<Created<CreatedUserResponse>, ProblemHttpResult>> CreateUser(CreateUserRequest request, SlipwayDb db, TimeProvider clock, CancellationToken ct)
    {
        var email = request.Email?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(email) || email.Length > 320 || email.IndexOf('@') is <= 0 || email.EndsWith('@') || email.Any(char.IsWhiteSpace))
        {
            return ApiProblem.Invalid($"'{request.Email}' is not a valid email address.");
        }

        if (await db.Users.AnyAsync(u => u.Email == email, ct))
        {
            return ApiProblem.Conflict($"A user with email '{email}' already exists.");
        }

        var now = clock.GetUtcNow();
        var user = User.Create(email, request.Name, request.Admin, now);
        var (token, secret) = ApiToken.Issue(user.Id, "first token", now);
        db.Users.Add(user);
        db.Tokens.Add(token);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/users/{user.Id}", new CreatedUserResponse(ToResponse(user), ToResponse(token, secret)));
    }

    private static async Task<Results<Created<TokenResponse>, ProblemHttpResult>> CreateToken(string user, CreateTokenRequest? request, HttpContext http, SlipwayDb db, TimeProvider clock, CancellationToken ct)
    {
        var caller = Caller.Of(http.User);
        var target = user == "me"
            ? await db.Users.FirstOrDefaultAsync(u => u.Id == caller.UserId, ct)
            : Guid.TryParse(user, out var id)
                ? await db.Users.FirstOrDefaultAsync(u => u.Id == id, ct)
                : await db.Users.FirstOrDefaultAsync(u => u.Email == user.ToLowerInvariant(), ct);
        if (target is null || (!caller.IsAdmin && target.Id != caller.UserId))
        {
            return ApiProblem.NotFound($"User '{user}' not found.");
        }

        var (token, secret) = ApiToken.Issue(target.Id, request?.Description, clock.GetUtcNow());
        db.Tokens.Add(token);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/users/{target.Id}/tokens/{token.Id}", ToResponse(token, secret));
    }

    private static AccountResponse ToResponse(User user) => new(user.Id, user.Email, user.Name, user.IsAdmin, user.CreatedAt);

    private static TokenResponse ToResponse(ApiToken token, string secret) => new(token.Id, secret, token.Description, token.CreatedAt);
}

/// <summary>Authorization policy names.</summary>
public static class Policies
{
    public const string Admin = "admin";
}
