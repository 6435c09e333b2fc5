using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Http;

namespace Slipway.Server.Accounts;

/// <summary>
/// Finds the user behind <c>Authorization: Bearer &lt;token&gt;</c> by the token's hash. HTTP Basic
/// with the token as the password (any user name) is the same, as Heroku's API takes it: that is
/// what <c>git</c> sends from the <c>~/.netrc</c> entry <c>aka login</c> writes.
/// </summary>
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

        var secret = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..]
            : header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) ? BasicPassword(header["Basic ".Length..])
            : null;
        if (string.IsNullOrWhiteSpace(secret))
        {
            return AuthenticateResult.Fail("Authorization must be 'Bearer <token>' (or Basic with the token as the password).");
        }

        var identity = await TokenIdentity.FromSecretAsync(db, secret, SchemeName, Context.RequestAborted);
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

        // git answers a Basic challenge with the netrc entry (or asks, unless told not to).
        Response.Headers.WWWAuthenticate = Request.Path.StartsWithSegments(AppMapping.GitPath) ? "Basic realm=\"Slipway\"" : "Bearer";
        await Response.WriteAsJsonAsync(
            ApiProblem.Details(401, "unauthorized", failure ?? "A token is required: send 'Authorization: Bearer <token>' (see 'aka login')."),
            options: null,
            contentType: "application/problem+json");
    }

    /// <summary>The password of a Basic credential (<c>user:password</c> in base64), or null when it is not one.</summary>
    private static string? BasicPassword(string encoded)
    {
        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(encoded.Trim()));
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? null : pair[(colon + 1)..];
        }
        catch (FormatException)
        {
            return null;
        }
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
