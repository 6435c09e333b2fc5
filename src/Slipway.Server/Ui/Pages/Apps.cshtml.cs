using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Apps;
using Slipway.Server.Http;
using Slipway.Server.Spaces;

namespace Slipway.Server.Ui.Pages;

/// <summary>The spaces the user sees with their apps, and the forms that create both (through the API's own creation rules).</summary>
public sealed class AppsModel(AppService apps, SpaceService spaces, AppMapping mapping, Platform platform) : PageModel
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
        var created = await apps.CreateAsync(Caller.Of(User), new CreateAppRequest(name, space), ct);
        if (!created.Refused)
        {
            return RedirectToPage("/App", new { app = created.Value.Key });
        }

        Refuse(created.Refusal, created.Refusal.Param == nameof(CreateAppRequest.Space) ? AppSpaceField : AppNameField);
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostCreateSpaceAsync([FromForm(Name = SpaceNameField)] string? name, [FromForm(Name = SpaceDescriptionField)] string? description, CancellationToken ct)
    {
        (SpaceName, SpaceDescription) = (name, description);
        var created = await spaces.CreateAsync(Caller.Of(User), new CreateSpaceRequest(name, string.IsNullOrWhiteSpace(description) ? null : description.Trim()), ct);
        if (!created.Refused)
        {
            return RedirectToPage("/Apps", null, new { createdSpace = created.Value.Name }, $"space-{created.Value.Name}");
        }

        Refuse(created.Refusal, SpaceNameField);
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
        Spaces = [.. (await spaces.ListAsync(caller, ct)).Select(s => SpacesApi.ToResponse(s, platform))];
        Apps = [.. (await apps.ListAsync(caller, ct)).Select(a => new AppRow(mapping.ToResponse(a, Request), a.ServingDescription, a.ServingAt))];
    }

    /// <summary>An app as the API shows it, with what its serving release (shown as current) did and when.</summary>
    public sealed record AppRow(AppResponse App, string? CurrentDescription, DateTimeOffset? CurrentAt);
}
