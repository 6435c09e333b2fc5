using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Releases;
using AppEntity = Slipway.Server.Apps.App;

namespace Slipway.Server.Ui.Pages;

/// <summary>
/// The confirmation of a rollback: what changes (slug, config var names), what does not
/// (add-ons), then the rollback itself through <see cref="ReleaseService.RollbackAsync"/>, the
/// API's own path. Shown in a dialog by the script, or as a page without it.
/// </summary>
public sealed class RollbackModel(Access access, SlipwayDb db, ReleaseService releases, AppService apps, AppMapping mapping) : PageModel
{
    public const string ExpectedLatestField = "expectedLatest";

    [FromRoute(Name = "app")]
    public string AppRef { get; set; } = "";

    [FromRoute(Name = "version")]
    public int Version { get; set; }

    public AppResponse App { get; private set; } = null!;

    public RollbackPreview Preview { get; private set; } = null!;

    /// <summary>The newest version when the preview was made: the rollback is refused if another release came since.</summary>
    public int LatestVersion { get; private set; }

    /// <summary>Why the rollback cannot happen (or did not), shown in the dialog.</summary>
    public string? Refusal { get; private set; }

    /// <summary>Whether the target may be rolled back to now, by <see cref="Rollback.IneligibleReason"/>.</summary>
    public bool Eligible { get; private set; }

    public bool Fragment => Request.Headers.ContainsKey(UiRoutes.FragmentHeader);

    /// <summary>Why there is nothing to roll back to (no such app or release), for a 404 page.</summary>
    public string? Missing { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var app = await access.FindAppAsync(Caller.Of(User), AppRef, ct);
        if (app is null || !await LoadAsync(app, ct))
        {
            Missing = app is null ? $"There is no app '{AppRef}', or it is not yours to see." : $"{app.Key} has no release v{Version}.";
            Response.StatusCode = StatusCodes.Status404NotFound;
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync([FromForm(Name = ExpectedLatestField)] int? expectedLatest, CancellationToken ct)
    {
        var app = await access.FindAppAsync(Caller.Of(User), AppRef, ct);
        if (app is null)
        {
            return NotFound();
        }

        var outcome = await releases.RollbackAsync(
            app, Caller.Of(User), Version.ToString(CultureInfo.InvariantCulture), new ReleaseConditions(ExpectedLatestVersion: expectedLatest), ct);

        if (outcome.Release is { } release)
        {
            var next = Url.Page("/App", null, new { app = app.Key, released = release.Version }, null, null, $"v{release.Version}")!;
            if (!Fragment)
            {
                return LocalRedirect(next);
            }

            // A fetch cannot see a redirect's target; the script navigates there itself.
            Response.Headers[UiRoutes.LocationHeader] = next;
            return new NoContentResult();
        }

        if (!await LoadAsync(app, ct))
        {
            return NotFound();
        }

        Refusal = outcome.Refusal?.Message ?? outcome.Unchanged;
        Response.StatusCode = outcome.Refusal?.Status ?? StatusCodes.Status422UnprocessableEntity;
        return Page();
    }

    private async Task<bool> LoadAsync(AppEntity app, CancellationToken ct)
    {
        var found = await releases.FindAsync(app, Version.ToString(CultureInfo.InvariantCulture), ct);
        if (found.Refused)
        {
            return false;
        }

        var target = found.Value.Release;
        App = mapping.ToResponse(await apps.SummaryAsync(app, ct), Request);
        Preview = RollbackPreview.Of(target, await ReleaseQueries.CurrentWithSlugAsync(db, app.Id, ct));
        LatestVersion = await db.Apps.AsNoTracking().Where(a => a.Id == app.Id).Select(a => a.ReleaseCounter).SingleAsync(ct);
        var ineligible = Rollback.IneligibleReason(target, found.Value.CurrentVersion);
        Eligible = ineligible is null;
        Refusal ??= ineligible is null ? null : $"Cannot roll back to v{Version}: {ineligible}";
        return true;
    }
}
