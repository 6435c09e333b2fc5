using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Slipway.Server.Accounts;
using Slipway.Server.Data;

namespace Slipway.Server.Ui;

/// <summary>
/// The dashboard signs in with an API token, verified once, and then carries an HTTP-only,
/// SameSite=Strict cookie. The cookie only names the token: every request looks the token up
/// again (<see cref="TokenIdentity"/>, as the Bearer scheme does), so a deleted token or user
/// ends the session at once and the admin flag is always the current one. API routes never
/// read this cookie; they keep Bearer, which is what makes them safe from cross-site requests.
/// </summary>
public static class UiAuthentication
{
    public const string Scheme = "SlipwayUi";

    /// <summary>The authorization policy of every dashboard page and endpoint.</summary>
    public const string Policy = "ui";

    public const string CookieName = "slipway_session";

    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(12);

    /// <summary>The principal for a token typed into the sign-in form, or null when no token has it.</summary>
    public static async Task<ClaimsPrincipal?> PrincipalForTokenAsync(SlipwayDb db, string token, CancellationToken ct) =>
        string.IsNullOrWhiteSpace(token) || await TokenIdentity.FromSecretAsync(db, token, Scheme, ct) is not { } identity
            ? null
            : new ClaimsPrincipal(identity);

    public static AuthenticationBuilder AddUiCookie(this AuthenticationBuilder builder) =>
        builder.AddCookie(Scheme, o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.Path = UiRoutes.Root;
            o.LoginPath = UiRoutes.SignIn;
            o.AccessDeniedPath = UiRoutes.Apps;
            o.ReturnUrlParameter = "returnUrl";
            o.ExpireTimeSpan = SessionLifetime;
            o.SlidingExpiration = true;
            o.EventsType = typeof(UiCookieEvents);
        });
}

/// <summary>Re-reads the token behind the cookie on every request; scripts get a 401 instead of a sign-in page.</summary>
public sealed class UiCookieEvents(SlipwayDb db) : CookieAuthenticationEvents
{
    public override async Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        var identity = Guid.TryParse(context.Principal?.FindFirstValue(TokenIdentity.TokenIdClaim), out var tokenId)
            ? await TokenIdentity.FromTokenIdAsync(db, tokenId, UiAuthentication.Scheme, context.HttpContext.RequestAborted)
            : null;
        if (identity is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(UiAuthentication.Scheme);
            return;
        }

        context.ReplacePrincipal(new ClaimsPrincipal(identity));
    }

    public override Task RedirectToLogin(RedirectContext<CookieAuthenticationOptions> context)
    {
        if (IsScript(context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        }

        return base.RedirectToLogin(context);
    }

    /// <summary>A fetch or EventSource of the dashboard's script, which cannot follow a redirect to a sign-in page.</summary>
    private static bool IsScript(HttpRequest request) =>
        request.Headers.ContainsKey(UiRoutes.FragmentHeader)
        || request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.Ordinal)
        || request.Headers["Sec-Fetch-Mode"] is [{ } mode] && mode != "navigate";
}
