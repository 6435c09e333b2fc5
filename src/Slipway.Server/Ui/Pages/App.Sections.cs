using Microsoft.AspNetCore.Mvc;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Addons;
using Slipway.Server.Builds;
using Slipway.Server.Runtime;
using AppEntity = Slipway.Server.Apps.App;

namespace Slipway.Server.Ui.Pages;

/// <summary>A service:plan the attach form offers.</summary>
public sealed record PlanChoice(string Value, string Label);

/// <summary>
/// The app page's builds, processes, add-ons and logs. Every change calls the feature's service
/// (<see cref="BuildService"/>, <see cref="FormationService"/>, <see cref="DynoService"/>, <see cref="AddonService"/>),
/// as the API does, so both follow the same rules; a refusal is shown next to the form that caused it.
/// </summary>
public sealed partial class AppModel
{
    public const int BuildsShown = 10;
    public const string SourceUrlField = "sourceUrl";
    public const string QuantityField = "quantity";
    public const string ProcessTypeField = "type";
    public const string AddonPlanField = "addonPlan";
    public const string AddonNameField = "addonName";
    public const string AddonField = "addon";
    public const string RestartField = "restart";

    /// <summary>How many log lines the tail keeps in the page; older ones scroll away.</summary>
    public const int LogLinesShown = 500;

    /// <summary>The build whose output the page streams; the newest when not given.</summary>
    [FromQuery(Name = "build")]
    public Guid? BuildId { get; set; }

    /// <summary>What a processes form just did, to say next to it.</summary>
    [FromQuery(Name = "processes")]
    public string? ProcessesDone { get; set; }

    /// <summary>What an add-ons form just did, to say next to it.</summary>
    [FromQuery(Name = "addons")]
    public string? AddonsDone { get; set; }

    public IReadOnlyList<BuildResponse> Builds { get; private set; } = [];

    /// <summary>The build whose output is shown (<see cref="BuildId"/>, or the newest).</summary>
    public BuildResponse? ShownBuild { get; private set; }

    public IReadOnlyList<DynoResponse> Dynos { get; private set; } = [];

    public IReadOnlyList<FormationEntry> ProcessTypes { get; private set; } = [];

    public IReadOnlyList<AddonResponse> Addons { get; private set; } = [];

    public IReadOnlyList<PlanChoice> Plans { get; private set; } = [];

    public string? NewSourceUrl { get; private set; }

    public string? NewAddonPlan { get; private set; }

    public string? NewAddonName { get; private set; }

    /// <summary>The number each scale field shows: the refused one keeps what was typed.</summary>
    public Dictionary<string, string> TypedQuantities { get; } = [];

    public string ProcessesNotice => ProcessesDone switch
    {
        "scaled" => "Formation saved; processes start or stop below.",
        "restarted" => "Restarting; each process shows its new start time below.",
        _ => "",
    };

    public string AddonsNotice => AddonsDone switch
    {
        "attached" => "Add-on attached.",
        "attaching" => "The add-on is being provisioned; its state updates below.",
        "detached" => "Add-on detached.",
        "detaching" => "The add-on is being deprovisioned; its state updates below.",
        _ => "",
    };

    /// <summary>Up processes out of all, for the app's state line.</summary>
    public int UpCount => Dynos.Count(d => d.State == "up");

    public async Task<IActionResult> OnPostDeployAsync([FromForm(Name = SourceUrlField)] string? sourceUrl, CancellationToken ct)
    {
        var app = await FindAsync(ct);
        if (app is null)
        {
            return NotFound();
        }

        NewSourceUrl = sourceUrl?.Trim() ?? "";
        if (NewSourceUrl.Length == 0)
        {
            return await RefuseAsync(app, SourceUrlField, "Enter the URL of a .tar.gz or .zip archive of the app's source.", ct);
        }

        var request = new CreateBuildRequest(null, NewSourceUrl, null, null, null, null, null, null, null, Deploy: true);
        var created = await builds.CreateAsync(app, Caller.Of(User), request, ct);
        return created.Refused
            ? await RefuseAsync(app, SourceUrlField, created.Refusal, ct)
            : RedirectToPage("/App", null, new { app = app.Key, build = created.Value.Id }, "builds");
    }

    public async Task<IActionResult> OnPostScaleAsync(
        [FromForm(Name = ProcessTypeField)] string? type, [FromForm(Name = QuantityField)] string? quantity, CancellationToken ct)
    {
        var app = await FindAsync(ct);
        if (app is null)
        {
            return NotFound();
        }

        type ??= "";
        TypedQuantities[type] = quantity ?? "";
        var field = $"{QuantityField}-{type}";
        if (!int.TryParse(quantity, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var count))
        {
            return await RefuseAsync(app, field, "Enter a whole number of processes (0 stops them all).", ct);
        }

        var changed = await formation.ChangeAsync(app, new FormationPatchRequest([new FormationUpdate(type, count, null)], null), ct);
        return changed.Refused
            ? await RefuseAsync(app, field, changed.Refusal, ct)
            : RedirectToPage("/App", null, new { app = app.Key, processes = "scaled" }, "processes");
    }

    public async Task<IActionResult> OnPostRestartAsync([FromForm(Name = ProcessTypeField)] string? type, CancellationToken ct)
    {
        var app = await FindAsync(ct);
        if (app is null)
        {
            return NotFound();
        }

        return await dynos.RestartAsync(app, string.IsNullOrEmpty(type) ? null : type, ct) is { } refusal
            ? await RefuseAsync(app, RestartField, refusal, ct)
            : RedirectToPage("/App", null, new { app = app.Key, processes = "restarted" }, "processes");
    }

    public async Task<IActionResult> OnPostAttachAsync(
        [FromForm(Name = AddonPlanField)] string? plan, [FromForm(Name = AddonNameField)] string? name, CancellationToken ct)
    {
        var app = await FindAsync(ct);
        if (app is null)
        {
            return NotFound();
        }

        (NewAddonPlan, NewAddonName) = (plan, name);
        if (string.IsNullOrWhiteSpace(plan))
        {
            return await RefuseAsync(app, AddonPlanField, "Choose a service and plan.", ct);
        }

        var request = new CreateAddonRequest(plan, string.IsNullOrWhiteSpace(name) ? null : name);
        var created = await addons.CreateAsync(app, Caller.Of(User), request, ct);
        if (created.Refused)
        {
            return await RefuseAsync(app, created.Refusal.Param == nameof(CreateAddonRequest.Name) ? AddonNameField : AddonPlanField, created.Refusal, ct);
        }

        return created.Value.Done
            ? RedirectToPage("/App", null, new { app = app.Key, addons = "attached", released = created.Value.ReleaseVersion }, "addons")
            : RedirectToPage("/App", null, new { app = app.Key, addons = "attaching" }, "addons");
    }

    public async Task<IActionResult> OnPostDetachAsync([FromForm(Name = AddonField)] string? addon, CancellationToken ct)
    {
        var app = await FindAsync(ct);
        if (app is null)
        {
            return NotFound();
        }

        var field = $"{AddonField}-{addon}";
        var destroyed = await addons.DestroyAsync(app, Caller.Of(User), addon ?? "", null, ct);
        if (destroyed.Refused)
        {
            return await RefuseAsync(app, field, destroyed.Refusal, ct);
        }

        var (_, done, released, failure) = destroyed.Value;
        if (failure is not null)
        {
            return await RefuseAsync(app, field, failure, ct);
        }

        return RedirectToPage("/App", null, new { app = app.Key, addons = done ? "detached" : "detaching", released }, "addons");
    }

    public static (string Kind, string Word) BuildBadge(string status) => status switch
    {
        "succeeded" => ("ok", "Succeeded"),
        "failed" => ("failed", "Failed"),
        _ => ("pending", "Building"),
    };

    public static (string Kind, string Word) DynoBadge(string state) => state switch
    {
        "up" => ("ok", "Up"),
        "crashed" => ("failed", "Crashed"),
        _ => ("pending", "Starting"),
    };

    public static (string Kind, string Word) AddonBadge(string state) => state switch
    {
        "provisioned" => ("ok", "Attached"),
        "failed" => ("failed", "Failed"),
        "deprovision_failed" => ("failed", "Detach failed"),
        "provisioning" => ("pending", "Provisioning"),
        "deprovisioning" => ("pending", "Detaching"),
        _ => ("neutral", state),
    };

    private async Task LoadSectionsAsync(AppEntity app, CancellationToken ct)
    {
        var stack = buildOptions.Value.Stack;
        Builds = [.. (await builds.NewestAsync(app, BuildsShown, ct)).Select(b => BuildMapping.ToResponse(b, app, Request, stack))];
        ShownBuild = BuildId is { } id
            ? Builds.FirstOrDefault(b => b.Id == id) ?? await ShownBuildAsync(app, id, stack, ct)
            : Builds.FirstOrDefault();

        Dynos = [.. (await dynos.ListAsync(app, ct))
            .Select(d => DynosApi.ToResponse(d, app))
            .OrderBy(d => d.Type == ReleaseSpec.WebType ? 0 : 1).ThenBy(d => d.Type, StringComparer.Ordinal).ThenBy(d => d.Name.Length).ThenBy(d => d.Name, StringComparer.Ordinal)];
        ProcessTypes = (await formation.GetAsync(app, ct)).Entries;

        Addons = [.. (await addons.ListAsync(app, ct)).Select(a => AddonMapping.ToResponse(a, app))];
        var services = await registry.ServicesAsync(ct);
        Plans = [.. services
            .OrderBy(s => s.Service.Name, StringComparer.Ordinal)
            .SelectMany(s => (s.Service.Plans ?? []).Select(p => new PlanChoice(
                $"{s.Service.Name}:{p.Name}",
                $"{s.Service.DisplayName} · {p.Name}{(string.IsNullOrEmpty(p.Description) ? "" : " — " + p.Description)}")))];
    }

    private async Task<BuildResponse?> ShownBuildAsync(AppEntity app, Guid id, string stack, CancellationToken ct)
    {
        var found = await builds.FindAsync(app, id.ToString(), ct);
        return found.Refused ? null : BuildMapping.ToResponse(found.Value, app, Request, stack);
    }
}
