using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Slipway.Server.Data;
using Slipway.Server.Http;

namespace Slipway.Server.Accounts;

/// <summary>Finds the user behind <c>Authorization: Bearer &lt;token&gt;</c> by the token's hash.</summary>
public sealed class BearerAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SlipwayDb db)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    public const string AdminRole = "admin";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("Authorization must be 'Bearer <token>'.");
        }

        var identity = await TokenIdentity.FromSecretAsync(db, header["Bearer ".Length..], SchemeName, Context.RequestAborted);
        if (identity is null)
        {
            return AuthenticateResult.Fail("The token is not valid.");
        }

        var principal = new ClaimsPrincipal(identity);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Response.WriteAsJsonAsync(
            ApiProblem.Details(401, "unauthorized", failure ?? "A token is required: send 'Authorization: Bearer <token>' (see 'aka login')."),
            options: null,
            contentType: "application/problem+json");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Response.WriteAsJsonAsync(
            ApiProblem.Details(403, "forbidden", "This needs an admin token."),
            options: null,
            contentType: "application/problem+json");
    }
}

/// <summary>Who is calling, as the API's rules need it.</summary>
public sealed record Caller(Guid UserId, bool IsAdmin)
{
    public static Caller Of(ClaimsPrincipal principal) => new(
        Guid.Parse(principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("The request is not authenticated.")),
        principal.IsInRole(BearerAuthentication.AdminRole));
}
