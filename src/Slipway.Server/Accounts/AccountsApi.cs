using Microsoft.AspNetCore.Http.HttpResults;
using Slipway.Contracts;
using Slipway.Server.Http;

namespace Slipway.Server.Accounts;

/// <summary>
/// <c>/account</c> (who am I), the admin's <c>/users</c>, and every user's own tokens under
/// <c>/users/{me|~|id|email}/tokens</c> (<see cref="AccountService"/>).
/// </summary>
public static class AccountsApi
{
    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/account", GetAccount);
        var users = routes.MapGroup("/users");
        users.MapGet("/", ListUsers).RequireAuthorization(Policies.Admin);
        users.MapPost("/", CreateUser).RequireAuthorization(Policies.Admin);
        users.MapPatch("/{user}", UpdateUser).RequireAuthorization(Policies.Admin);
        users.MapDelete("/{user}", DeleteUser).RequireAuthorization(Policies.Admin);
        users.MapGet("/{user}/tokens", ListTokens);
        users.MapPost("/{user}/tokens", CreateToken);
        users.MapDelete("/{user}/tokens/{token}", RevokeToken);
        return routes;
    }

    private static async Task<Results<Ok<AccountResponse>, ProblemHttpResult>> GetAccount(HttpContext http, AccountService accounts, CancellationToken ct)
    {
        var found = await accounts.FindAsync(Caller.Of(http.User), ct);
        return found.Refused ? ApiProblem.Of(found.Refusal) : TypedResults.Ok(ToResponse(found.Value));
    }

    private static async Task<Ok<List<AccountResponse>>> ListUsers(AccountService accounts, CancellationToken ct) =>
        TypedResults.Ok((await accounts.ListAsync(ct)).Select(ToResponse).ToList());

    private static async Task<Results<Created<CreatedUserResponse>, ProblemHttpResult>> CreateUser(CreateUserRequest request, AccountService accounts, CancellationToken ct)
    {
        var created = await accounts.CreateUserAsync(request, ct);
        if (created.Refused)
        {
            return ApiProblem.Of(created.Refusal);
        }

        var (user, token) = created.Value;
        return TypedResults.Created($"/users/{user.Id}", new CreatedUserResponse(ToResponse(user), ToResponse(token)));
    }

    private static async Task<Results<Ok<AccountResponse>, ProblemHttpResult>> UpdateUser(string user, UpdateUserRequest request, HttpContext http, AccountService accounts, CancellationToken ct)
    {
        var updated = await accounts.UpdateUserAsync(Caller.Of(http.User), user, request, ct);
        return updated.Refused ? ApiProblem.Of(updated.Refusal) : TypedResults.Ok(ToResponse(updated.Value));
    }

    private static async Task<Results<Ok<AccountResponse>, ProblemHttpResult>> DeleteUser(string user, HttpContext http, AccountService accounts, CancellationToken ct)
    {
        var deleted = await accounts.DeleteUserAsync(Caller.Of(http.User), user, ct);
        return deleted.Refused ? ApiProblem.Of(deleted.Refusal) : TypedResults.Ok(ToResponse(deleted.Value));
    }

    private static async Task<Results<Ok<List<TokenInfoResponse>>, ProblemHttpResult>> ListTokens(string user, HttpContext http, AccountService accounts, CancellationToken ct)
    {
        var tokens = await accounts.ListTokensAsync(Caller.Of(http.User), user, ct);
        return tokens.Refused ? ApiProblem.Of(tokens.Refusal) : TypedResults.Ok(tokens.Value.Select(ToInfo).ToList());
    }

    private static async Task<Results<Created<TokenResponse>, ProblemHttpResult>> CreateToken(string user, CreateTokenRequest? request, HttpContext http, AccountService accounts, CancellationToken ct)
    {
        var issued = await accounts.IssueTokenAsync(Caller.Of(http.User), user, request?.Description, ct);
        if (issued.Refused)
        {
            return ApiProblem.Of(issued.Refusal);
        }

        var (target, token) = issued.Value;
        return TypedResults.Created($"/users/{target.Id}/tokens/{token.Token.Id}", ToResponse(token));
    }

    private static async Task<Results<Ok<TokenInfoResponse>, ProblemHttpResult>> RevokeToken(string user, string token, HttpContext http, AccountService accounts, CancellationToken ct)
    {
        var revoked = await accounts.RevokeTokenAsync(Caller.Of(http.User), user, token, ct);
        return revoked.Refused ? ApiProblem.Of(revoked.Refusal) : TypedResults.Ok(ToInfo(revoked.Value));
    }

    private static AccountResponse ToResponse(User user) => new(user.Id, user.Email, user.Name, user.IsAdmin, user.CreatedAt, user.Disabled);

    private static TokenResponse ToResponse(IssuedToken issued) => new(issued.Token.Id, issued.Secret, issued.Token.Description, issued.Token.CreatedAt);

    private static TokenInfoResponse ToInfo(ApiToken token) => new(token.Id, token.Description, token.CreatedAt);
}

/// <summary>Authorization policy names.</summary>
public static class Policies
{
    public const string Admin = "admin";
}
