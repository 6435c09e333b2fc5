using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Addons;
using Slipway.Server.Apps;
using Slipway.Server.Builds;
using Slipway.Server.Config;
using Slipway.Server.Data;
using Slipway.Server.Hooks;
using Slipway.Server.Http;
using Slipway.Server.Releases;
using Slipway.Server.Runtime;
using AppEntity = Slipway.Server.Apps.App;

namespace Slipway.Server.Ui.Pages;

/// <summary>
/// One app: its state, its release history (newest first, live), and its config vars. Config
/// changes go through <see cref="ConfigService"/>, as the API's PATCH does. Builds, processes,
/// add-ons and logs are in <c>App.Sections.cs</c>.
/// </summary>
public sealed partial class AppModel(
    Access access,
    SlipwayDb db,
    ReleaseService releases,
    ReleaseStatusService statuses,
    ConfigService config,
    BuildService builds,
    FormationService formation,
    DynoService dynos,
    AddonService addons,
    IAppRuntime runtime,
    BrokerRegistry registry,
    IOptions<BuildOptions> buildOptions,
    AppService apps,
    AppMapping appMapping,
    HookService hooks) : PageModel
{
    public const int ReleasesPerPage = 50;
    public const string ConfigNameField = "configName";
    public const string ConfigValueField = "configValue";
    public const string EditValueField = "editValue";

    /// <summary>The app's key or id, from the route.</summary>
    [FromRoute(Name = "app")]
    public string AppRef { get; set; } = "";

    /// <summary>Show the page of releases older than this version.</summary>
    [FromQuery(Name = "before")]
    public int? Before { get; set; }

    /// <summary>The config var whose value is shown (without script; the script reveals in place).</summary>
    [FromQuery(Name = "reveal")]
    public string? Reveal { get; set; }

    /// <summary>The config var being edited.</summary>
    [FromQuery(Name = "edit")]
    public string? Edit { get; set; }

    /// <summary>The release just made from this page, to announce.</summary>
    [FromQuery(Name = "released")]
    public int? ReleasedVersion { get; set; }

    public AppResponse App { get; private set; } = null!;

    /// <summary>The serving release (the newest succeeded): what the router sends traffic to.</summary>
    public ReleaseResponse? Serving { get; private set; }

    /// <summary>The newest release of any status, when it is newer than the serving one (being deployed, or failed).</summary>
    public ReleaseResponse? Newer { get; private set; }

    public IReadOnlyList<ReleaseResponse> Releases { get; private set; } = [];

    /// <summary>The release statuses of the releases shown, by release id, oldest first.</summary>
    public IReadOnlyDictionary<Guid, List<StatusCheck>> Checks { get; private set; } = new Dictionary<Guid, List<StatusCheck>>();

    /// <summary>Where the next (older) page of releases starts, when there is one.</summary>
    public int? OlderBefore { get; private set; }

    public ReleaseResponse? Released { get; private set; }

    public IReadOnlyDictionary<string, string> Config { get; private set; } = new Dictionary<string, string>();

    /// <summary>The fingerprint of the releases this page shows, for <see cref="LiveUpdates"/>.</summary>
    public string Stamp { get; private set; } = "";

    public Dictionary<string, string> Errors { get; } = [];

    public string? NewName { get; private set; }

    public string? NewValue { get; private set; }

    /// <summary>A change that made no release, said next to the config form.</summary>
    public string? ConfigNotice { get; private set; }

    /// <summary>Why there is no app to show (missing, or not the user's to see), for a 404 page.</summary>
    public string? Missing { get; private set; }

    public string? Error(string field) => Errors.GetValueOrDefault(field);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var app = await FindAsync(ct);
        if (app is null)
        {
            Missing = $"There is no app '{AppRef}', or it is not yours to see.";
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }

        await LoadAsync(app, ct);
        return Page();
    }

    /// <summary>One config var's value, for the script's Reveal and Edit buttons; never cached.</summary>
    public async Task<IActionResult> OnGetValueAsync([FromQuery] string name, CancellationToken ct)
    {
        var app = await FindAsync(ct);
        if (app is null)
        {
            return NotFound();
        }

        return (await config.UserVarsAsync(app, ct)).TryGetValue(name, out var value)
            ? Content(value, "text/plain; charset=utf-8")
            : NotFound();
    }

    public async Task<IActionResult> OnPostSetConfigAsync(
        [FromForm(Name = ConfigNameField)] string? name,
        [FromForm(Name = ConfigValueField)] string? value,
        [FromForm(Name = EditValueField)] string? editValue,
        CancellationToken ct)
    {
        var app = await FindAsync(ct);
        if (app is null)
        {
            return NotFound();
        }

        // The edit row sends its value under its own name, so its errors stay in that row.
        var editing = editValue is not null;
        name = name?.Trim() ?? "";
        value = editing ? editValue : value ?? "";
        var valueField = editing ? EditValueField : ConfigValueField;
        if (editing)
        {
            Edit = name;
        }
        else
        {
            (NewName, NewValue) = (name, value);
        }

        if (name.Length == 0)
        {
            return await RefuseAsync(app, ConfigNameField, "Enter a name for the config var.", ct);
        }

        var change = ConfigChange.Parse(new Dictionary<string, string?> { [name] = value });
        if (change.Refused)
        {
            return await RefuseAsync(app, ConfigChange.IsValidName(name) ? valueField : ConfigNameField, change.Refusal, ct);
        }

        return await ReleaseAsync(app, change.Value, editing ? valueField : ConfigNameField, ct);
    }

    public async Task<IActionResult> OnPostRemoveConfigAsync([FromForm(Name = ConfigNameField)] string? name, CancellationToken ct)
    {
        var app = await FindAsync(ct);
        if (app is null)
        {
            return NotFound();
        }

        var change = string.IsNullOrEmpty(name) ? null : ConfigChange.Parse(new Dictionary<string, string?> { [name] = null });
        if (change is null || change.Refused)
        {
            ConfigNotice = "That config var cannot be removed: its name is not valid.";
            await LoadAsync(app, ct);
            return Page();
        }

        return await ReleaseAsync(app, change.Value, ConfigNameField, ct);
    }

    private async Task<IActionResult> ReleaseAsync(AppEntity app, ConfigChange change, string errorField, CancellationToken ct)
    {
        var changed = await config.ChangeAsync(app, Caller.Of(User), change, ct);
        if (changed.Refused)
        {
            return await RefuseAsync(app, errorField, changed.Refusal, ct);
        }

        if (changed.Value.Release is { } release)
        {
            return RedirectToPage("/App", new { app = app.Key, released = release.Version });
        }

        ConfigNotice = changed.Value.Unchanged;
        await LoadAsync(app, ct);
        return Page();
    }

    /// <summary>Shows the page again with <paramref name="refusal"/>'s message next to <paramref name="field"/>, and its status.</summary>
    private Task<IActionResult> RefuseAsync(AppEntity app, string field, Refusal refusal, CancellationToken ct) =>
        RefuseAsync(app, field, refusal.Message, ct, refusal.Status);

    private async Task<IActionResult> RefuseAsync(AppEntity app, string field, string message, CancellationToken ct, int status = StatusCodes.Status422UnprocessableEntity)
    {
        Errors[field] = message;
        Response.StatusCode = status;
        await LoadAsync(app, ct);
        return Page();
    }

    private Task<AppEntity?> FindAsync(CancellationToken ct) => access.FindAppAsync(Caller.Of(User), AppRef, ct);

    private async Task LoadAsync(AppEntity app, CancellationToken ct)
    {
        // The stamp is taken before what it covers is read: a change in between then only
        // causes one more refresh, never a page that stays stale because its stamp is newer.
        Stamp = await LiveUpdates.StampAsync(db, runtime, app.Id, ct);
        var page = await releases.ListAsync(app, new VersionRange(null, false, Before is { } before ? before - 1 : null, ReleasesPerPage, Descending: true), ct);
        Releases = [.. page.Releases.Select(r => ReleaseMapping.ToResponse(r, app))];
        Checks = await statuses.OfReleasesAsync([.. Releases.Select(r => r.Id)], ct);
        OlderBefore = page.More ? Releases[^1].Version : null;

        var servingVersion = await ReleaseQueries.ServingVersionAsync(db, app.Id, ct);
        App = appMapping.ToResponse(await apps.SummaryAsync(app, ct), Request);
        Serving = servingVersion is { } version ? await ResponseOfAsync(app, version, ct) : null;
        var newest = Before is null ? Releases.FirstOrDefault() : await ResponseOfAsync(app, app.ReleaseCounter, ct);
        Newer = newest is not null && newest.Version > (servingVersion ?? 0) ? newest : null;
        Released = ReleasedVersion is { } released ? await ResponseOfAsync(app, released, ct) : null;

        Config = await config.UserVarsAsync(app, ct);
        await LoadSectionsAsync(app, ct);
        Hooks = [.. (await hooks.RecentAsync(app, HookAttemptsShown, ct)).Select(h => (HookMapping.ToResponse(app, new HookView(h.Hook, null)), h.Attempts.Select(a => HookMapping.ToResponse(h.Hook, a)).ToList()))];
    }

    private async Task<ReleaseResponse?> ResponseOfAsync(AppEntity app, int version, CancellationToken ct)
    {
        if (Releases.FirstOrDefault(r => r.Version == version) is { } shown)
        {
            return shown;
        }

        var found = await releases.FindAsync(app, version.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
        return found.Refused ? null : ReleaseMapping.ToResponse(found.Value, app);
    }
}
