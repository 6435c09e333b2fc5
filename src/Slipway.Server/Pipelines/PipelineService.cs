using Microsoft.EntityFrameworkCore;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Http;
using Slipway.Server.Releases;

namespace Slipway.Server.Pipelines;

/// <summary>A coupling with its app's current release (null when it has none) and the combined state of the statuses posted on that release.</summary>
public sealed record CouplingView(PipelineCoupling Coupling, Release? Current, StatusCheckState State);

/// <summary>A status context of a pipeline: the couplings that require it, and the status posted with it on each coupled app's current release (absent where none was).</summary>
public sealed record PipelineContext(string Context, IReadOnlyList<CouplingView> RequiredBy, IReadOnlyList<(CouplingView Coupling, StatusCheck Check)> Posted);

/// <summary>
/// Pipelines and their couplings (Akkeris). Pipelines are shared names every signed-in user may
/// list and create; a coupling is seen, made, changed and removed only by those who may see its
/// app (<see cref="Access"/>); a pipeline is deleted only by someone who may see every app still in it.
/// </summary>
public sealed class PipelineService(SlipwayDb db, Access access, ReleaseStatusService statuses, TimeProvider clock)
{
    public static Refusal NotFound(string reference) => Refusal.NotFound($"Pipeline '{reference}' not found.");

    public Task<List<Pipeline>> ListAsync(CancellationToken ct) => db.Pipelines.AsNoTracking().OrderBy(p => p.Name).ToListAsync(ct);

    public async Task<Answer<Pipeline>> CreateAsync(CreatePipelineRequest request, CancellationToken ct)
    {
        if (Names.PipelineNameProblem(request.Name) is { } problem)
        {
            return Refusal.Invalid(problem, nameof(request.Name));
        }

        var pipeline = Pipeline.Create(request.Name!, clock.GetUtcNow());
        db.Pipelines.Add(pipeline);
        return await db.TrySaveUniqueAsync(ct) ? pipeline : Taken(request.Name!);
    }

    /// <summary>A pipeline by name or id.</summary>
    public async Task<Answer<Pipeline>> FindAsync(string reference, CancellationToken ct)
    {
        var pipeline = Guid.TryParse(reference, out var id)
            ? await db.Pipelines.FirstOrDefaultAsync(p => p.Id == id, ct)
            : await db.Pipelines.FirstOrDefaultAsync(p => p.Name == reference.ToLowerInvariant(), ct);
        return pipeline is null ? NotFound(reference) : pipeline;
    }

    /// <summary>Deletes a pipeline with its couplings and promotion records; the apps stay. Refused (403) while it couples an app the caller may not see.</summary>
    public async Task<Answer<Pipeline>> DeleteAsync(Caller caller, string reference, CancellationToken ct)
    {
        var found = await FindAsync(reference, ct);
        if (found.Refused)
        {
            return found.Refusal;
        }

        var pipeline = found.Value;
        var visible = access.Apps(caller).Select(a => a.Id);
        if (await db.PipelineCouplings.AnyAsync(c => c.PipelineId == pipeline.Id && !visible.Contains(c.AppId), ct))
        {
            return new Refusal(StatusCodes.Status403Forbidden, "forbidden", $"Pipeline {pipeline.Name} couples apps you may not see; only someone who may see all of them can delete it.");
        }

        db.Pipelines.Remove(pipeline);
        await db.SaveChangesAsync(ct);
        return pipeline;
    }

    /// <summary>The couplings the caller may see, of one pipeline or of all, by stage then app.</summary>
    public async Task<List<CouplingView>> CouplingsAsync(Caller caller, Pipeline? pipeline, CancellationToken ct)
    {
        var visible = access.Apps(caller).Select(a => a.Id);
        var query = db.PipelineCouplings.AsNoTracking().Include(c => c.App).Include(c => c.Pipeline).Where(c => visible.Contains(c.AppId));
        if (pipeline is not null)
        {
            query = query.Where(c => c.PipelineId == pipeline.Id);
        }

        var couplings = await query.ToListAsync(ct);
        return await ViewsAsync([.. couplings.OrderBy(c => c.Pipeline.Name, StringComparer.Ordinal).ThenBy(c => c.Stage).ThenBy(c => c.App.Key, StringComparer.Ordinal)], ct);
    }

    /// <summary>The app's one coupling, or 404 when it is in no pipeline.</summary>
    public async Task<Answer<CouplingView>> CouplingOfAsync(App app, CancellationToken ct)
    {
        var coupling = await db.PipelineCouplings.AsNoTracking().Include(c => c.App).Include(c => c.Pipeline).FirstOrDefaultAsync(c => c.AppId == app.Id, ct);
        return coupling is null ? Refusal.NotFound($"{app.Key} is in no pipeline.") : (await ViewsAsync([coupling], ct))[0];
    }

    public async Task<Answer<CouplingView>> FindCouplingAsync(Caller caller, string id, CancellationToken ct)
    {
        var found = await TrackedCouplingAsync(caller, id, ct);
        return found.Refused ? found.Refusal : (await ViewsAsync([found.Value], ct))[0];
    }

    /// <summary>Couples an app the caller may see to a pipeline at a stage; an app is in one pipeline at most (409).</summary>
    public async Task<Answer<CouplingView>> CreateCouplingAsync(Caller caller, CreatePipelineCouplingRequest request, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.App))
        {
            return Refusal.Invalid("app is required: the app's key (name-space) or id.", nameof(request.App));
        }

        if (string.IsNullOrWhiteSpace(request.Pipeline))
        {
            return Refusal.Invalid("pipeline is required: its name or id.", nameof(request.Pipeline));
        }

        if (!PipelineStages.TryParse(request.Stage, out var stage))
        {
            return Refusal.Invalid((request.Stage is null ? "stage is required: " : $"'{request.Stage}' is not a stage: ") + PipelineStages.Rule, nameof(request.Stage));
        }

        var contexts = CheckContexts(stage, request.RequiredStatusChecks);
        if (contexts.Refused)
        {
            return contexts.Refusal;
        }

        var app = await access.FindAppAsync(caller, request.App, ct);
        if (app is null)
        {
            return AppService.NotFound(request.App);
        }

        var pipeline = await FindAsync(request.Pipeline, ct);
        if (pipeline.Refused)
        {
            return pipeline.Refusal;
        }

        var coupling = PipelineCoupling.Create(pipeline.Value, app, stage, contexts.Value, clock.GetUtcNow());
        db.PipelineCouplings.Add(coupling);
        if (!await db.TrySaveUniqueAsync(ct))
        {
            var existing = await db.PipelineCouplings.AsNoTracking().Include(c => c.Pipeline).FirstAsync(c => c.AppId == app.Id, ct);
            return Refusal.Conflict($"{app.Key} is already in pipeline {existing.Pipeline.Name} (at {PipelineStages.NameOf(existing.Stage)}); an app is in one pipeline at most.", nameof(request.App));
        }

        return (await ViewsAsync([coupling], ct))[0];
    }

    /// <summary>Changes a coupling's stage or required checks.</summary>
    public async Task<Answer<CouplingView>> UpdateCouplingAsync(Caller caller, string id, UpdatePipelineCouplingRequest request, CancellationToken ct)
    {
        PipelineStage? stage = null;
        if (request.Stage is not null)
        {
            if (!PipelineStages.TryParse(request.Stage, out var parsed))
            {
                return Refusal.Invalid($"'{request.Stage}' is not a stage: {PipelineStages.Rule}", nameof(request.Stage));
            }

            stage = parsed;
        }

        var found = await TrackedCouplingAsync(caller, id, ct);
        if (found.Refused)
        {
            return found.Refusal;
        }

        var coupling = found.Value;
        var contexts = CheckContexts(stage ?? coupling.Stage, request.RequiredStatusChecks ?? new RequiredStatusChecks(coupling.RequiredContexts));
        if (contexts.Refused)
        {
            return contexts.Refusal;
        }

        coupling.Change(stage, contexts.Value, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return (await ViewsAsync([coupling], ct))[0];
    }

    /// <summary>Takes the app out of its pipeline; the app and its releases stay.</summary>
    public async Task<Answer<CouplingView>> DeleteCouplingAsync(Caller caller, string id, CancellationToken ct)
    {
        var found = await TrackedCouplingAsync(caller, id, ct);
        if (found.Refused)
        {
            return found.Refusal;
        }

        var view = (await ViewsAsync([found.Value], ct))[0];
        db.PipelineCouplings.Remove(found.Value);
        await db.SaveChangesAsync(ct);
        return view;
    }

    /// <summary>
    /// The status contexts of a pipeline as the caller sees it: every context an app requires or
    /// that is posted on an app's current release, with who requires it and its state on each app.
    /// </summary>
    public async Task<Answer<List<PipelineContext>>> ContextsAsync(Caller caller, string reference, CancellationToken ct)
    {
        var pipeline = await FindAsync(reference, ct);
        if (pipeline.Refused)
        {
            return pipeline.Refusal;
        }

        var couplings = await CouplingsAsync(caller, pipeline.Value, ct);
        var checks = await statuses.OfReleasesAsync([.. couplings.Where(c => c.Current is not null).Select(c => c.Current!.Id)], ct);
        var posted = couplings
            .SelectMany(c => c.Current is { } current && checks.TryGetValue(current.Id, out var list) ? list.Select(check => (Coupling: c, Check: check)) : [])
            .ToList();
        var names = couplings.SelectMany(c => c.Coupling.RequiredContexts).Concat(posted.Select(p => p.Check.Context)).Distinct().Order(StringComparer.Ordinal);
        return names
            .Select(name => new PipelineContext(
                name,
                [.. couplings.Where(c => c.Coupling.RequiredContexts.Contains(name))],
                [.. posted.Where(p => p.Check.Context == name)]))
            .ToList();
    }

    /// <summary>Each coupling with its app's current release and that release's combined status state.</summary>
    public async Task<List<CouplingView>> ViewsAsync(IReadOnlyList<PipelineCoupling> couplings, CancellationToken ct)
    {
        var currents = new List<Release?>();
        foreach (var coupling in couplings)
        {
            currents.Add(await ReleaseQueries.CurrentAsync(db, coupling.AppId, ct));
        }

        var states = await statuses.CombinedAsync([.. currents.OfType<Release>().Select(r => r.Id)], ct);
        return
        [
            .. couplings.Select((c, i) => new CouplingView(
                c,
                currents[i],
                currents[i] is { } current ? states.GetValueOrDefault(current.Id, StatusCheckState.Success) : StatusCheckState.Success)),
        ];
    }

    private async Task<Answer<PipelineCoupling>> TrackedCouplingAsync(Caller caller, string id, CancellationToken ct)
    {
        var visible = access.Apps(caller).Select(a => a.Id);
        var coupling = Guid.TryParse(id, out var parsed)
            ? await db.PipelineCouplings.Include(c => c.App).Include(c => c.Pipeline).FirstOrDefaultAsync(c => c.Id == parsed && visible.Contains(c.AppId), ct)
            : null;
        return coupling is null ? Refusal.NotFound($"Pipeline coupling '{id}' not found.") : coupling;
    }

    /// <summary>The required contexts, checked: valid names, none twice, at most as many as a release may carry, and none at the review stage.</summary>
    private static Answer<List<string>> CheckContexts(PipelineStage stage, RequiredStatusChecks? checks)
    {
        const string field = nameof(CreatePipelineCouplingRequest.RequiredStatusChecks);
        var contexts = checks?.Contexts ?? [];
        foreach (var context in contexts)
        {
            if (context is null || !ReleaseStatusService.IsContext(context))
            {
                return Refusal.Invalid($"required_status_checks context '{context}' is not valid: {ReleaseStatusService.ContextRule}", field);
            }
        }

        if (contexts.Count > ReleaseStatusService.MaxPerRelease)
        {
            return Refusal.Invalid($"required_status_checks may name at most {ReleaseStatusService.MaxPerRelease} contexts.", field);
        }

        if (stage == PipelineStage.Review && contexts.Count > 0)
        {
            return Refusal.Invalid("The review stage takes no required status checks: nothing is promoted to it.", field);
        }

        return contexts.Distinct(StringComparer.Ordinal).ToList();
    }

    private static Refusal Taken(string name) => Refusal.Conflict($"Pipeline {name} already exists.", nameof(CreatePipelineRequest.Name));
}
