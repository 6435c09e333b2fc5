using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Http;
using Slipway.Server.Releases;
using Slipway.Server.Spaces;

namespace Slipway.Server.Ui.Pages;

/// <summary>The spaces the user sees with their apps, and the forms that create both (through the API's own creation rules).</summary>
public sealed class AppsModel(Access access, SlipwayDb db, TimeProvider clock) : PageModel
{
    public const string AppNameField = "appName";
    public const string AppSpaceField = "appSpace";
    public const string SpaceNameField = "spaceName";
    public const string SpaceDescriptionField = "spaceDescription";

    public IReadOnlyList<SpaceResponse> Spaces { get; private set; } = [];

    public IReadOnlyList<AppRow> Apps { get; private set; } = [];

    /// <summary>Errors by the form field that caused them.</summary>
    public Dictionary<string, string> Errors { get; } = [];

    public string? AppName { get; private set; }

    public string? AppSpace { get; private set; }

    public string? SpaceName { get; private set; }

    public string? SpaceDescription { get; private set; }

    /// <summary>The space just created, to announce it and preselect it in the app form.</summary>
    [FromQuery(Name = "createdSpace")]
    public string? CreatedSpace { get; set; }

    public string? Error(string field) => Errors.GetValueOrDefault(field);

    public async Task OnGetAsync(CancellationToken ct)
    {
        AppSpace = CreatedSpace;
        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostCreateAppAsync([FromForm(Name = AppNameField)] string? name, [FromForm(Name = AppSpaceField)] string? space, CancellationToken ct)
    {
        (AppName, AppSpace) = (name, space);
        var (app, refusal) = await AppCreation.CreateAsync(new CreateAppRequest(name, space), Caller.Of(User), access, db, clock, ct);
        if (app is not null)
        {
            return RedirectToPage("/App", new { app = app.Key });
        }

        Refuse(refusal!, refusal!.Param == nameof(CreateAppRequest.Space) ? AppSpaceField : AppNameField);
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostCreateSpaceAsync([FromForm(Name = SpaceNameField)] string? name, [FromForm(Name = SpaceDescriptionField)] string? description, CancellationToken ct)
    {
        (SpaceName, SpaceDescription) = (name, description);
        var (space, refusal) = await SpaceCreation.CreateAsync(new CreateSpaceRequest(name, string.IsNullOrWhiteSpace(description) ? null : description.Trim()), Caller.Of(User), db, clock, ct);
        if (space is not null)
        {
            return RedirectToPage("/Apps", null, new { createdSpace = space.Name }, $"space-{space.Name}");
        }

        Refuse(refusal!, SpaceNameField);
        await LoadAsync(ct);
        return Page();
    }

    private void Refuse(Refusal refusal, string field)
    {
        Errors[field] = refusal.Message;
        Response.StatusCode = refusal.Status;
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var caller = Caller.Of(User);
        var spaces = await access.Spaces(caller).AsNoTracking().OrderBy(s => s.Name).ToListAsync(ct);
        Spaces = spaces.Select(SpacesApi.ToResponse).ToList();

        var apps = await access.Apps(caller).AsNoTracking().OrderBy(a => a.Key).ToListAsync(ct);
        var ids = apps.Select(a => a.Id).ToList();
        var current = await ReleaseQueries.Current(db).AsNoTracking()
            .Where(r => ids.Contains(r.AppId))
            .Select(r => new { r.AppId, r.Version, r.Description, r.CreatedAt })
            .ToDictionaryAsync(r => r.AppId, ct);
        Apps = apps.Select(a => current.TryGetValue(a.Id, out var r)
                ? new AppRow(AppsApi.ToResponse(a, r.Version), r.Description, r.CreatedAt)
                : new AppRow(AppsApi.ToResponse(a, null), null, null))
            .ToList();
    }

    /// <summary>An app as the API shows it, with what its current release did and when.</summary>
    public sealed record AppRow(AppResponse App, string? CurrentDescription, DateTimeOffset? CurrentAt);
}
