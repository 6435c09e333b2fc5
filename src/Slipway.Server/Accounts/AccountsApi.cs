using Microsoft.AspNetCore.Http.HttpResults;
using Slipway.Contracts;
using Slipway.Server.Http;

namespace Slipway.Server.Accounts;

/// <summary><c>/account</c> (who am I) and the admin's <c>/users</c> with their tokens (<see cref="AccountService"/>).</summary>
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

    private static AccountResponse ToResponse(User user) => new(user.Id, user.Email, user.Name, user.IsAdmin, user.CreatedAt);

    private static TokenResponse ToResponse(IssuedToken issued) => new(issued.Token.Id, issued.Secret, issued.Token.Description, issued.Token.CreatedAt);
}

/// <summary>Authorization policy names.</summary>
public static class Policies
{
    public const string Admin = "admin";
}
