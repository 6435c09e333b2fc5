using Microsoft.AspNetCore.Mvc.RazorPages;
using Slipway.Server.Pipelines;

namespace Slipway.Server.Ui.Pages;

/// <summary>The pipelines (shared names every signed-in user sees), each linked to its page.</summary>
public sealed class PipelinesModel(PipelineService pipelines) : PageModel
{
    public IReadOnlyList<Pipeline> Pipelines { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Pipelines = await pipelines.ListAsync(ct);
}
