using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Slipway.Server.Ui.Pages;

/// <summary>Ends the dashboard session (the token itself stays valid for the API and the CLI).</summary>
public sealed class SignOutModel : PageModel
{
    public IActionResult OnGet() => RedirectToPage("/Apps");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(UiAuthentication.Scheme);
        return RedirectToPage("/SignIn");
    }
}
