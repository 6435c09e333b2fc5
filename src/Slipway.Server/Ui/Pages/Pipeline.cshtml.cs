using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Slipway.Server.Accounts;
using Slipway.Server.Pipelines;
using Slipway.Server.Releases;

namespace Slipway.Server.Ui.Pages;

/// <summary>
/// A pipeline: its stages as columns, each app the caller may see with its current release, that
/// release's status and the statuses posted on it, the checks it requires, and a Promote button.
/// </summary>
public sealed class PipelineModel(PipelineService pipelines, ReleaseStatusService statuses) : PageModel
{
    [FromRoute(Name = "pipeline")]
    public string PipelineRef { get; set; } = "";

    /// <summary>The flash after a promotion made from this page.</summary>
    [FromQuery(Name = "promoted")]
    public string? Promoted { get; set; }

    public Pipeline Pipeline { get; private set; } = null!;

    public IReadOnlyList<CouplingView> Couplings { get; private set; } = [];

    public IReadOnlyDictionary<Guid, List<StatusCheck>> Checks { get; private set; } = new Dictionary<Guid, List<StatusCheck>>();

    public string? Missing { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var found = await pipelines.FindAsync(PipelineRef, ct);
        if (found.Refused)
        {
            Missing = found.Refusal.Message;
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }

        Pipeline = found.Value;
        Couplings = await pipelines.CouplingsAsync(Caller.Of(User), Pipeline, ct);
        Checks = await statuses.OfReleasesAsync([.. Couplings.Where(c => c.Current is not null).Select(c => c.Current!.Id)], ct);
        return Page();
    }
}
