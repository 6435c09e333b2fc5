using Microsoft.EntityFrameworkCore;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Hooks;
using Slipway.Server.Http;
using Slipway.Server.Releases;

namespace Slipway.Server.Pipelines;

/// <summary>
/// What a promotion would do to one target: the release it runs now, the config var names it
/// lacks (the source has them, it does not) and has beyond the source (names only), and every
/// reason it refuses the promotion (empty when it accepts it).
/// </summary>
public sealed record PromotionTargetPlan(App App, Release? Current, IReadOnlyList<string> Lacking, IReadOnlyList<string> Extra, IReadOnlyList<string> Reasons);

/// <summary>A promotion worked out but not made: the source release (with its slug) and each target's plan.</summary>
public sealed record PromotionPlan(Pipeline Pipeline, App Source, Release Release, IReadOnlyList<PromotionTargetPlan> Targets, bool Safe)
{
    public IReadOnlyList<string> Reasons => [.. Targets.SelectMany(t => t.Reasons)];

    public string Description => $"Promotion from {Source.Key} v{Release.Version}";
}

/// <summary>A promotion with the status of each target's release.</summary>
public sealed record PromotionView(PipelinePromotion Promotion, IReadOnlyDictionary<Guid, ReleaseStatus> Releases)
{
    public ReleaseStatus StatusOf(PromotionTarget target) => Releases.GetValueOrDefault(target.ReleaseId, ReleaseStatus.Failed);

    /// <summary>Pending while any target's release is, then failed if any failed, else succeeded.</summary>
    public ReleaseStatus Status =>
        Promotion.Targets.Any(t => StatusOf(t) == ReleaseStatus.Pending) ? ReleaseStatus.Pending
        : Promotion.Targets.Any(t => StatusOf(t) == ReleaseStatus.Failed) ? ReleaseStatus.Failed
        : ReleaseStatus.Succeeded;
}

/// <summary>What a promotion request names, read from the API's or the dashboard's form.</summary>
/// <param name="Release">The source release (id, N or vN); null for its current one.</param>
/// <param name="Targets">The target apps (key or id); null or empty for every app of the next stage the caller may see.</param>
public sealed record PromotionRequest(string? Pipeline, string SourceApp, string? Release, IReadOnlyList<string>? Targets, bool Safe);

/// <summary>
/// Promotions (Akkeris): the source release's slug released on each target with the target's own
/// config and add-ons, through <see cref="ReleaseService.AppendAsync"/> like every other change.
/// Every target's required status checks (and, when safe, its config var names) are checked
/// before any release is made: one refusing target refuses the whole promotion (409, every reason).
/// </summary>
public sealed class PromotionService(SlipwayDb db, Access access, PipelineService pipelines, ReleaseService releases, ReleaseStatusService statuses, TimeProvider clock, HookEvents hooks)
{
    /// <summary>Reads an API request (Akkeris's shape; the Akkeris CLI puts the release in <c>source.app.release</c>).</summary>
    public static Answer<PromotionRequest> Read(CreatePipelinePromotionRequest request)
    {
        if (request.Source?.App?.Id is not { Length: > 0 } source)
        {
            return Refusal.Invalid("source.app.id is required: the app to promote from (key or id).", nameof(request.Source));
        }

        var targets = new List<string>();
        foreach (var target in request.Targets ?? [])
        {
            if (target.App?.Id is not { Length: > 0 } id)
            {
                return Refusal.Invalid("Each target needs app.id: the app to promote to (key or id).", nameof(request.Targets));
            }

            targets.Add(id);
        }

        return new PromotionRequest(request.Pipeline?.Id, source, request.Source.Release?.Id ?? request.Source.App.Release?.Id, targets, request.Safe ?? false);
    }

    /// <summary>Works out a promotion without making it: what the dashboard's confirmation shows, and what <see cref="PromoteAsync"/> checks.</summary>
    public async Task<Answer<PromotionPlan>> PlanAsync(Caller caller, PromotionRequest request, CancellationToken ct)
    {
        var source = await access.FindAppAsync(caller, request.SourceApp, ct);
        if (source is null)
        {
            return AppService.NotFound(request.SourceApp);
        }

        var coupling = await db.PipelineCouplings.Include(c => c.Pipeline).FirstOrDefaultAsync(c => c.AppId == source.Id, ct);
        if (coupling is null)
        {
            return Refusal.Invalid($"{source.Key} is in no pipeline: add it to one first.", nameof(CreatePipelinePromotionRequest.Source));
        }

        var pipeline = coupling.Pipeline;
        if (request.Pipeline is { } named)
        {
            var found = await pipelines.FindAsync(named, ct);
            if (found.Refused)
            {
                return found.Refusal;
            }

            if (found.Value.Id != pipeline.Id)
            {
                return Refusal.Invalid($"{source.Key} is not in pipeline {found.Value.Name} (it is in {pipeline.Name}).", nameof(CreatePipelinePromotionRequest.Source));
            }
        }

        var release = await SourceReleaseAsync(source, request.Release, ct);
        if (release.Refused)
        {
            return release.Refusal;
        }

        var targets = request.Targets is { Count: > 0 }
            ? await NamedTargetsAsync(caller, pipeline, source, request.Targets, ct)
            : await NextStageAsync(caller, coupling, ct);
        if (targets.Refused)
        {
            return targets.Refusal;
        }

        var checks = (await statuses.ListAsync(source, release.Value.Id.ToString(), ct)).Value?.Checks ?? [];
        var sourceNames = ReleaseEnvironment.Of(release.Value).Keys.ToHashSet(StringComparer.Ordinal);
        var plans = new List<PromotionTargetPlan>();
        foreach (var target in targets.Value)
        {
            var current = await ReleaseQueries.CurrentWithSlugAsync(db, target.App.Id, ct);
            var targetNames = current is null ? [] : ReleaseEnvironment.Of(current).Keys.ToHashSet(StringComparer.Ordinal);
            List<string> lacking = [.. sourceNames.Except(targetNames).Order(StringComparer.Ordinal)];
            List<string> extra = [.. targetNames.Except(sourceNames).Order(StringComparer.Ordinal)];
            var reasons = new List<string>();
            foreach (var context in target.RequiredContexts)
            {
                var state = checks.FirstOrDefault(c => c.Context == context)?.State;
                if (state != StatusCheckState.Success)
                {
                    var word = state is { } s ? ReleaseStatusService.NameOf(s) : "missing";
                    reasons.Add($"{target.App.Key} requires {context}, which is {word} on {source.Key} v{release.Value.Version}");
                }
            }

            if (request.Safe && lacking.Count > 0)
            {
                reasons.Add($"{target.App.Key} lacks config vars {string.Join(", ", lacking)}");
            }

            if (request.Safe && extra.Count > 0)
            {
                reasons.Add($"{target.App.Key} has config vars {string.Join(", ", extra)} that {source.Key} v{release.Value.Version} has not");
            }

            plans.Add(new PromotionTargetPlan(target.App, current, lacking, extra, reasons));
        }

        return new PromotionPlan(pipeline, source, release.Value, plans, request.Safe);
    }

    /// <summary>
    /// Promotes: refused with 409 and every reason of every target when any target refuses;
    /// otherwise each target gets its release (pending; it settles like any other) and the promotion is recorded.
    /// </summary>
    public async Task<Answer<PromotionView>> PromoteAsync(Caller caller, PromotionRequest request, CancellationToken ct)
    {
        var planned = await PlanAsync(caller, request, ct);
        if (planned.Refused)
        {
            return planned.Refusal;
        }

        var plan = planned.Value;
        if (plan.Reasons.Count > 0)
        {
            return Refusal.Conflict($"Cannot promote {plan.Source.Key} v{plan.Release.Version}: {string.Join("; ", plan.Reasons)}.");
        }

        var slug = plan.Release.Slug!;
        var commit = plan.Release.Build?.Commit ?? slug.Commit;
        var message = plan.Release.Build?.Message ?? slug.CommitDescription;
        var promotion = PipelinePromotion.Create(plan.Pipeline, plan.Source.Id, plan.Source.Key, plan.Release.Id, plan.Release.Version, plan.Safe, caller.UserId, clock.GetUtcNow());
        var made = new Dictionary<Guid, ReleaseStatus>();
        foreach (var target in plan.Targets)
        {
            var outcome = await releases.AppendAsync(
                target.App,
                caller,
                (state, _) =>
                {
                    // The target claims the bytes under a slug row of its own, in the release's transaction.
                    var claimed = slug.ClaimedBy(target.App.Id, commit, message, clock.GetUtcNow());
                    db.Slugs.Add(claimed);
                    var draft = new ReleaseDraft(claimed.Id, state.Current?.ConfigVars ?? [], plan.Description, ReleaseTrigger.Promotion);
                    return Task.FromResult<ReleasePlan>(new ReleasePlan.Create(draft));
                },
                ReleaseConditions.None,
                ct);
            var release = outcome.Release!;
            promotion.Add(new PromotionTarget(target.App.Id, target.App.Key, release.Id, release.Version));
            made[release.Id] = release.Status;
            await hooks.PromotedAsync(db, promotion, plan.Pipeline, target.App, release, ct);
        }

        db.PipelinePromotions.Add(promotion);
        await db.SaveChangesAsync(ct);
        return new PromotionView(promotion, made);
    }

    /// <summary>A promotion, for a caller who may see its source or one of its targets.</summary>
    public async Task<Answer<PromotionView>> FindAsync(Caller caller, string id, CancellationToken ct)
    {
        var promotion = Guid.TryParse(id, out var parsed)
            ? await db.PipelinePromotions.AsNoTracking().Include(p => p.Pipeline).FirstOrDefaultAsync(p => p.Id == parsed, ct)
            : null;
        var apps = promotion is null ? [] : promotion.Targets.Select(t => t.AppId).Append(promotion.SourceAppId).ToList();
        if (promotion is null || !await access.Apps(caller).AnyAsync(a => apps.Contains(a.Id), ct))
        {
            return Refusal.NotFound($"Pipeline promotion '{id}' not found.");
        }

        var ids = promotion.Targets.Select(t => t.ReleaseId).ToList();
        var made = await db.Releases.AsNoTracking().Where(r => ids.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.Status, ct);
        return new PromotionView(promotion, made);
    }

    /// <summary>The named release, else the current one; it must have succeeded and have code.</summary>
    private async Task<Answer<Release>> SourceReleaseAsync(App source, string? reference, CancellationToken ct)
    {
        Release? release;
        if (reference is null)
        {
            var current = await ReleaseQueries.CurrentAsync(db, source.Id, ct);
            if (current is null)
            {
                return Refusal.Conflict($"{source.Key} has no release to promote.");
            }

            reference = current.Id.ToString();
        }

        var query = ReleaseQueries.ByReference(db, source.Id, reference);
        release = query is null ? null : await query.AsNoTracking().Include(r => r.Slug).Include(r => r.Build).FirstOrDefaultAsync(ct);
        if (release is null)
        {
            return Refusal.NotFound($"Release '{reference}' not found for {source.Key}.");
        }

        if (release.Status != ReleaseStatus.Succeeded)
        {
            return Refusal.Conflict($"{source.Key} v{release.Version} is {release.Status.ToString().ToLowerInvariant()}; only a release that has succeeded can be promoted.");
        }

        if (release.Slug is not { Uploaded: true })
        {
            return Refusal.Conflict($"{source.Key} v{release.Version} has no code to promote.");
        }

        return release;
    }

    private async Task<Answer<List<PipelineCoupling>>> NextStageAsync(Caller caller, PipelineCoupling source, CancellationToken ct)
    {
        if (PipelineStages.Next(source.Stage) is not { } next)
        {
            return Refusal.Invalid($"{PipelineStages.NameOf(source.Stage)} is the last stage: name the targets to promote to.", nameof(CreatePipelinePromotionRequest.Targets));
        }

        var visible = access.Apps(caller).Select(a => a.Id);
        var targets = await db.PipelineCouplings.Include(c => c.App)
            .Where(c => c.PipelineId == source.PipelineId && c.Stage == next && visible.Contains(c.AppId))
            .ToListAsync(ct);
        return targets.Count == 0
            ? Refusal.Invalid($"Pipeline {source.Pipeline.Name} has no app at {PipelineStages.NameOf(next)} that you may see.", nameof(CreatePipelinePromotionRequest.Targets))
            : targets.OrderBy(t => t.App.Key, StringComparer.Ordinal).ToList();
    }

    private async Task<Answer<List<PipelineCoupling>>> NamedTargetsAsync(Caller caller, Pipeline pipeline, App source, IReadOnlyList<string> names, CancellationToken ct)
    {
        var targets = new List<PipelineCoupling>();
        foreach (var name in names)
        {
            var app = await access.FindAppAsync(caller, name, ct);
            if (app is null)
            {
                return AppService.NotFound(name);
            }

            if (app.Id == source.Id)
            {
                return Refusal.Invalid($"{app.Key} is the source; it cannot be a target too.", nameof(CreatePipelinePromotionRequest.Targets));
            }

            var coupling = await db.PipelineCouplings.Include(c => c.App).FirstOrDefaultAsync(c => c.AppId == app.Id && c.PipelineId == pipeline.Id, ct);
            if (coupling is null)
            {
                return Refusal.Invalid($"{app.Key} is not in pipeline {pipeline.Name}.", nameof(CreatePipelinePromotionRequest.Targets));
            }

            if (targets.All(t => t.AppId != app.Id))
            {
                targets.Add(coupling);
            }
        }

        return targets;
    }
}
