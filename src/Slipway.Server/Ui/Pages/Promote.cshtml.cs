using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Slipway.Server.Accounts;
using Slipway.Server.Pipelines;

namespace Slipway.Server.Ui.Pages;

/// <summary>
/// The confirmation of a promotion to the next stage: for each target, the code it runs now and
/// after, the config var names it lacks and every reason it would refuse; then the promotion itself
/// through <see cref="PromotionService.PromoteAsync"/>, the API's own path. The button only appears
/// when no target refuses.
/// </summary>
public sealed class PromoteModel(PromotionService promotions) : PageModel
{
    /// <summary>The release the confirmation showed: the one promoted, even if a newer one came since.</summary>
    public const string ReleaseField = "release";

    [FromRoute(Name = "pipeline")]
    public string PipelineRef { get; set; } = "";

    [FromRoute(Name = "app")]
    public string AppRef { get; set; } = "";

    public PromotionPlan Plan { get; private set; } = null!;

    /// <summary>Why the promotion did not happen, shown in the dialog.</summary>
    public string? Refusal { get; private set; }

    public string? Missing { get; private set; }

    public bool Fragment => Request.Headers.ContainsKey(UiRoutes.FragmentHeader);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(null, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync([FromForm(Name = ReleaseField)] string? release, CancellationToken ct)
    {
        var made = await promotions.PromoteAsync(Caller.Of(User), PromotionOf(release), ct);
        if (!made.Refused)
        {
            var promotion = made.Value.Promotion;
            var flash = $"Promoted {promotion.SourceAppKey} v{promotion.SourceVersion} to {string.Join(", ", promotion.Targets.Select(t => $"{t.AppKey} (v{t.Version})"))}.";
            var next = Url.Page("/Pipeline", null, new { pipeline = promotion.Pipeline.Name, promoted = flash })!;
            if (!Fragment)
            {
                return LocalRedirect(next);
            }

            // A fetch cannot see a redirect's target; the script navigates there itself.
            Response.Headers[UiRoutes.LocationHeader] = next;
            return new NoContentResult();
        }

        await LoadAsync(release, ct);
        Refusal = made.Refusal.Message;
        Response.StatusCode = made.Refusal.Status;
        return Page();
    }

    private PromotionRequest PromotionOf(string? release) => new(PipelineRef, AppRef, release, null, Safe: false);

    private async Task LoadAsync(string? release, CancellationToken ct)
    {
        var plan = await promotions.PlanAsync(Caller.Of(User), PromotionOf(release), ct);
        if (plan.Refused)
        {
            Missing = plan.Refusal.Message;
            Response.StatusCode = plan.Refusal.Status;
            return;
        }

        Plan = plan.Value;
    }
}
