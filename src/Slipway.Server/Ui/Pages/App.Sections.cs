using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Contracts;
using Slipway.Server.Addons;
using Slipway.Server.Builds;
using Slipway.Server.Config;
using Slipway.Server.Runtime;
using AppEntity = Slipway.Server.Apps.App;

namespace Slipway.Server.Ui.Pages;

/// <summary>A process type of the formation: how many should run, and the command.</summary>
public sealed record ProcessTypeRow(string Type, int Quantity, string Command);

/// <summary>A service:plan the attach form offers.</summary>
public sealed record PlanChoice(string Value, string Label);

/// <summary>
/// The app page's builds, processes, add-ons and logs. Every change calls the API's own handler
/// (<see cref="BuildsApi"/>, <see cref="FormationApi"/>, <see cref="DynosApi"/>, <see cref="AddonsApi"/>),
/// so the dashboard follows exactly the API's rules; a refusal is shown next to the form that caused it.
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

    public IReadOnlyList<ProcessTypeRow> ProcessTypes { get; private set; } = [];

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

    public async Task<IActionResult> OnPostDeployAsync([FromForm(Name = SourceUrlField)] string? sourceUrl, [FromServices] BuildQueue queue, CancellationToken ct)
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
        var result = await BuildsApi.Create(app.Key, request, HttpContext, access, db, queue, clock, buildOptions, ct);
        return result.Result switch
        {
            Created<BuildResponse> { Value: { } build } => RedirectToPage("/App", null, new { app = app.Key, build = build.Id }, "builds"),
            ProblemHttpResult problem => await RefuseAsync(app, SourceUrlField, MessageOf(problem), ct, problem.StatusCode),
            _ => throw new InvalidOperationException("Unexpected answer from the builds API."),
        };
    }

    public async Task<IActionResult> OnPostScaleAsync(
        [FromForm(Name = ProcessTypeField)] string? type, [FromForm(Name = QuantityField)] string? quantity,
        [FromServices] Deployer deployer,
        [FromServices] IOptions<RuntimeOptions> runtimeOptions,
        CancellationToken ct)
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

        var request = new FormationPatchRequest([new FormationUpdate(type, count, null)], null);
        var result = await FormationApi.Patch(app.Key, request, HttpContext, access, db, deployer, clock, runtimeOptions, ct);
        return result.Result switch
        {
            ProblemHttpResult problem => await RefuseAsync(app, field, MessageOf(problem), ct, problem.StatusCode),
            _ => RedirectToPage("/App", null, new { app = app.Key, processes = "scaled" }, "processes"),
        };
    }

    public async Task<IActionResult> OnPostRestartAsync([FromForm(Name = ProcessTypeField)] string? type, [FromServices] Deployer deployer, CancellationToken ct)
    {
        var app = await FindAsync(ct);
        if (app is null)
        {
            return NotFound();
        }

        var result = await DynosApi.Restart(app.Key, string.IsNullOrEmpty(type) ? null : type, HttpContext, access, db, runtime, deployer, ct);
        return result.Result switch
        {
            ProblemHttpResult problem => await RefuseAsync(app, RestartField, MessageOf(problem), ct, problem.StatusCode),
            _ => RedirectToPage("/App", null, new { app = app.Key, processes = "restarted" }, "processes"),
        };
    }

    public async Task<IActionResult> OnPostAttachAsync(
        [FromForm(Name = AddonPlanField)] string? plan, [FromForm(Name = AddonNameField)] string? name,
        [FromServices] AddonJobs jobs,
        [FromServices] IOptions<AddonOptions> addonOptions,
        CancellationToken ct)
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
        var result = await AddonsApi.Create(
            app.Key, request, HttpContext, access, db, registry, jobs, addonOptions, clock, ct);
        return result.Result switch
        {
            Created<AddonResponse> => RedirectToPage("/App", null, new { app = app.Key, addons = "attached", released = ReleasedHeader() }, "addons"),
            Accepted<AddonResponse> => RedirectToPage("/App", null, new { app = app.Key, addons = "attaching" }, "addons"),
            ProblemHttpResult problem => await RefuseAsync(
                app, request.Name is not null && MessageOf(problem).Contains("name", StringComparison.OrdinalIgnoreCase) ? AddonNameField : AddonPlanField, MessageOf(problem), ct, problem.StatusCode),
            _ => throw new InvalidOperationException("Unexpected answer from the add-ons API."),
        };
    }

    public async Task<IActionResult> OnPostDetachAsync(
        [FromForm(Name = AddonField)] string? addon,
        [FromServices] AddonLifecycle lifecycle,
        [FromServices] AddonJobs jobs,
        [FromServices] IOptions<AddonOptions> addonOptions,
        CancellationToken ct)
    {
        var app = await FindAsync(ct);
        if (app is null)
        {
            return NotFound();
        }

        var result = await AddonsApi.Destroy(
            app.Key, addon ?? "", null, HttpContext, access, db, lifecycle, jobs, addonOptions, ct);
        return result.Result switch
        {
            Ok<AddonResponse> => RedirectToPage("/App", null, new { app = app.Key, addons = "detached", released = ReleasedHeader() }, "addons"),
            Accepted<AddonResponse> => RedirectToPage("/App", null, new { app = app.Key, addons = "detaching", released = ReleasedHeader() }, "addons"),
            ProblemHttpResult problem => await RefuseAsync(app, $"{AddonField}-{addon}", MessageOf(problem), ct, problem.StatusCode),
            _ => throw new InvalidOperationException("Unexpected answer from the add-ons API."),
        };
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

    /// <summary>The release an API handler announced in its response header, if it made one.</summary>
    private int? ReleasedHeader() =>
        Response.Headers[ConfigApi.ReleaseHeader].ToString() is ['v', .. var digits] && int.TryParse(digits, System.Globalization.CultureInfo.InvariantCulture, out var version)
            ? version
            : null;

    private static string MessageOf(ProblemHttpResult problem) => problem.ProblemDetails.Detail ?? problem.ProblemDetails.Title ?? "The change was refused.";

    private async Task LoadSectionsAsync(AppEntity app, CancellationToken ct)
    {
        var stack = buildOptions.Value.Stack;
        var builds = await db.Builds.AsNoTracking().Include(b => b.User)
            .Where(b => b.AppId == app.Id)
            .OrderByDescending(b => b.CreatedAt)
            .Take(BuildsShown)
            .ToListAsync(ct);
        Builds = [.. builds.Select(b => BuildMapping.ToResponse(b, app, Request, stack))];
        ShownBuild = BuildId is { } id
            ? Builds.FirstOrDefault(b => b.Id == id) ?? await ShownBuildAsync(app, id, stack, ct)
            : Builds.FirstOrDefault();

        Dynos = [.. (await runtime.DynosAsync(app.Id, ct))
            .OrderBy(d => d.Type == ReleaseSpec.WebType ? 0 : 1).ThenBy(d => d.Type, StringComparer.Ordinal).ThenBy(d => d.Name.Length).ThenBy(d => d.Name, StringComparer.Ordinal)
            .Select(DynosApi.ToResponse)];
        var processTypes = await FormationApi.ProcessTypesAsync(db, app, ct);
        var settings = await db.RuntimeSettings.AsNoTracking().FirstOrDefaultAsync(s => s.AppId == app.Id, ct);
        ProcessTypes = [.. RuntimeSettings.FormationOf(settings, processTypes)
            .OrderBy(q => q.Key == ReleaseSpec.WebType ? 0 : 1).ThenBy(q => q.Key, StringComparer.Ordinal)
            .Select(q => new ProcessTypeRow(q.Key, q.Value, processTypes[q.Key]))];

        var addons = await db.Addons.AsNoTracking().Where(a => a.AppId == app.Id).OrderBy(a => a.CreatedAt).ToListAsync(ct);
        Addons = [.. addons.Select(a => AddonMapping.ToResponse(a, app))];
        var services = await registry.ServicesAsync(ct);
        Plans = [.. services
            .OrderBy(s => s.Service.Name, StringComparer.Ordinal)
            .SelectMany(s => (s.Service.Plans ?? []).Select(p => new PlanChoice(
                $"{s.Service.Name}:{p.Name}",
                $"{s.Service.DisplayName} · {p.Name}{(string.IsNullOrEmpty(p.Description) ? "" : " — " + p.Description)}")))];
    }

    private async Task<BuildResponse?> ShownBuildAsync(AppEntity app, Guid id, string stack, CancellationToken ct)
    {
        var row = await db.Builds.AsNoTracking().Include(b => b.User).FirstOrDefaultAsync(b => b.AppId == app.Id && b.Id == id, ct);
        return row is null ? null : BuildMapping.ToResponse(row, app, Request, stack);
    }
}
