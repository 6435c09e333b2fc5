using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Slipway.Server.Data;

namespace Slipway.Server.Ui.Pages;

/// <summary>Sign in with an API token; the token is checked, then the session lives in the dashboard's cookie.</summary>
public sealed class SignInModel(SlipwayDb db) : PageModel
{
    [FromQuery(Name = "returnUrl")]
    public string? ReturnUrl { get; set; }

    public string? TokenError { get; private set; }

    /// <summary>The page allows anyone, so the cookie is read here to send a signed-in user on.</summary>
    public async Task<IActionResult> OnGetAsync() =>
        (await HttpContext.AuthenticateAsync(UiAuthentication.Scheme)).Succeeded
            ? LocalRedirect(SafeReturnUrl())
            : Page();

    public async Task<IActionResult> OnPostAsync([FromForm] string? token, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            TokenError = "Enter an API token.";
            return Page();
        }

        var principal = await UiAuthentication.PrincipalForTokenAsync(db, token, ct);
        if (principal is null)
        {
            TokenError = "This token is not valid. Check that you copied all of it (tokens start with slw_).";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        await HttpContext.SignInAsync(UiAuthentication.Scheme, principal, new AuthenticationProperties { IsPersistent = false });
        return LocalRedirect(SafeReturnUrl());
    }

    /// <summary>Only a dashboard address is a place to return to: anything else could send the user off-site.</summary>
    private string SafeReturnUrl() =>
        ReturnUrl is { } url && Url.IsLocalUrl(url) && url.StartsWith(UiRoutes.Root + "/", StringComparison.Ordinal)
            ? url
            : UiRoutes.Apps;
}
