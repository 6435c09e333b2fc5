using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Server.Accounts;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Http;
using Slipway.Server.Releases;

namespace Slipway.Server.Addons;

/// <summary>How an add-on operation ended: the release it made, or the refusal the API passes on.</summary>
/// <param name="KeepRecord">For a failure: the add-on stays listed (something may be left at the broker).</param>
public sealed record AddonOutcome(int? ReleaseVersion, Refusal? Refusal, bool KeepRecord = false)
{
    [MemberNotNullWhen(false, nameof(Refusal))]
    public bool Succeeded => Refusal is null;

    public static AddonOutcome Success(int? releaseVersion = null) => new(releaseVersion, null);

    public static AddonOutcome Failure(Refusal refusal, bool keepRecord = false) => new(null, refusal, keepRecord);

    public static AddonOutcome Failure(int status, string id, string message, bool keepRecord = false) => Failure(new Refusal(status, id, message), keepRecord);
}

/// <summary>
/// The add-on rules that span the broker, the add-on and the app's releases:
/// provision → bind → Attach release; Detach release → unbind → deprovision. A step that fails
/// undoes what the broker already did (OSB orphan mitigation) before it answers, and whatever
/// cannot be undone stays recorded on the add-on.
/// </summary>
public sealed partial class AddonLifecycle(
    SlipwayDb db,
    ReleaseService releases,
    BrokerRegistry registry,
    OsbClient osb,
    IOptions<AddonOptions> options,
    TimeProvider clock,
    ILogger<AddonLifecycle> logger)
{
    /// <summary>
    /// Provisions, binds and attaches an add-on in state <c>provisioning</c>; run by <see cref="AddonJobs"/>.
    /// <paramref name="resumed"/>: an earlier run was interrupted, so the broker may hold the instance already.
    /// </summary>
    public async Task<AddonOutcome> ProvisionAsync(Guid addonId, bool resumed, CancellationToken ct)
    {
        var addon = await db.Addons.SingleOrDefaultAsync(a => a.Id == addonId, ct);
        if (addon is null || addon.State != AddonState.Provisioning)
        {
            return addon?.State == AddonState.Provisioned ? AddonOutcome.Success() : AddonOutcome.Failure(409, "conflict", "The add-on is no longer being provisioned.", keepRecord: true);
        }

        var app = await db.Apps.AsNoTracking().Include(a => a.Space).SingleAsync(a => a.Id == addon.AppId, ct);
        var broker = await registry.FindAsync(addon.BrokerName, ct);
        if (broker is null)
        {
            var message = $"The add-on broker '{addon.BrokerName}' of {addon.Name} is no longer registered; the instance may still exist there.";
            addon.DeprovisionFailed(message, clock.GetUtcNow());
            await db.SaveChangesAsync(ct);
            return AddonOutcome.Failure(StatusCodes.Status502BadGateway, "broker_error", message, keepRecord: true);
        }

        var plan = await PlanOfAsync(broker, addon, ct);
        try
        {
            var (isAsync, operation, dashboard) = await osb.ProvisionAsync(broker, addon.Id, ProvisionRequest(addon, app), ct);
            addon.Provisioning(operation, dashboard, clock.GetUtcNow());
            await db.SaveChangesAsync(ct);
            if (isAsync)
            {
                await WaitForOperationAsync(broker, addon, plan, "provision", ct);
            }
        }
        catch (BrokerException e) when (e.NothingSent && !resumed)
        {
            // The broker never heard of it: there is nothing to undo.
            addon.Fail(e.Message, clock.GetUtcNow());
            await db.SaveChangesAsync(ct);
            return AddonOutcome.Failure(e.ToRefusal());
        }
        catch (BrokerException e)
        {
            return await UndoAsync(addon, broker, plan, e.ToRefusal(), bound: false, ct);
        }

        var bindable = plan is null || plan.Bindable;
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        if (bindable)
        {
            try
            {
                var credentials = await osb.BindAsync(broker, addon.Id, addon.BindingId, BindRequest(addon, app), ct);
                vars = AddonConfig.FromCredentials(credentials);
            }
            catch (BrokerException e)
            {
                return await UndoAsync(addon, broker, plan, e.ToRefusal(), bound: true, ct);
            }
        }

        var outcome = await releases.AppendAsync(
            app,
            new Caller(addon.CreatedBy, IsAdmin: false),
            (state, token) => PlanAttachAsync(app, addon, vars, bindable, state, token),
            ReleaseConditions.None,
            ct);
        if (outcome.Refusal is { } refusal)
        {
            return await UndoAsync(addon, broker, plan, refusal, bound: bindable, ct);
        }

        LogAttached(logger, addon.Name, app.Key, outcome.Release!.Version);
        return AddonOutcome.Success(outcome.Release.Version);
    }

    /// <summary>Makes the Detach release of an attached add-on; the broker is told afterwards, by <see cref="DeprovisionAsync"/>.</summary>
    public Task<ReleaseOutcome> DetachAsync(App app, Caller caller, Guid addonId, CancellationToken ct) =>
        releases.AppendAsync(
            app,
            caller,
            async (state, token) =>
            {
                var addon = await db.Addons.SingleOrDefaultAsync(a => a.Id == addonId, token);
                if (addon is null)
                {
                    return new ReleasePlan.Refuse(Refusal.NotFound($"The add-on is no longer attached to {app.Key}."));
                }

                if (addon.State != AddonState.Provisioned)
                {
                    return new ReleasePlan.Refuse(Refusal.Conflict($"{addon.Name} is {AddonMapping.StateName(addon.State)}, not attached."));
                }

                var others = (await AddonQueries.AttachedAsync(db, app.Id, token)).Where(a => a.AddonId != addonId).ToList();
                addon.Detach(clock.GetUtcNow());
                return new ReleasePlan.Create(new ReleaseDraft(
                    state.Current?.SlugId, state.Current?.ConfigVars ?? [], $"Detach {addon.Name} add-on", ReleaseTrigger.Addon, Addons: others));
            },
            ReleaseConditions.None,
            ct);

    /// <summary>Unbinds and deprovisions a detached add-on, then forgets it; on failure it stays, as <c>deprovision_failed</c>.</summary>
    public async Task<AddonOutcome> DeprovisionAsync(Guid addonId, CancellationToken ct)
    {
        var addon = await db.Addons.SingleOrDefaultAsync(a => a.Id == addonId, ct);
        if (addon is null)
        {
            return AddonOutcome.Success();
        }

        if (addon.State is not (AddonState.Deprovisioning or AddonState.DeprovisionFailed))
        {
            return AddonOutcome.Failure(Refusal.Conflict($"{addon.Name} is {AddonMapping.StateName(addon.State)}, not being destroyed."), keepRecord: true);
        }

        addon.RetryDeprovision(clock.GetUtcNow());
        var broker = await registry.FindAsync(addon.BrokerName, ct);
        if (broker is null)
        {
            return await StuckAsync(addon, new Refusal(StatusCodes.Status502BadGateway, "broker_error", $"The add-on broker '{addon.BrokerName}' is no longer registered."), ct);
        }

        var plan = await PlanOfAsync(broker, addon, ct);
        try
        {
            if (addon.Bound)
            {
                await osb.UnbindAsync(broker, addon.Id, addon.BindingId, addon.ServiceId, addon.PlanId, ct);
            }

            await DeprovisionInstanceAsync(broker, addon, plan, ct);
        }
        catch (BrokerException e)
        {
            return await StuckAsync(addon, e.ToRefusal(), ct);
        }

        db.Addons.Remove(addon);
        await db.SaveChangesAsync(ct);
        LogDeprovisioned(logger, addon.Name);
        return AddonOutcome.Success();
    }

    /// <summary>Removes the record of an add-on that failed before it was attached (nothing is left at the broker).</summary>
    public async Task ForgetFailedAsync(Guid addonId, CancellationToken ct) =>
        await db.Addons.Where(a => a.Id == addonId && a.State == AddonState.Failed).ExecuteDeleteAsync(ct);

    private async Task<ReleasePlan> PlanAttachAsync(App app, Addon addon, Dictionary<string, string> vars, bool bound, ReleaseState state, CancellationToken ct)
    {
        var attached = await AddonQueries.AttachedAsync(db, app.Id, ct);
        var userConfig = state.Current?.ConfigVars ?? [];
        if (AddonConfig.AttachClash(addon.Name, vars.Keys, userConfig, attached, app.Key) is { } clash)
        {
            return new ReleasePlan.Refuse(Refusal.Conflict(clash));
        }

        // Changed only once the release is decided: a refusal must leave the add-on as it was.
        addon.Attach(vars, bound, clock.GetUtcNow());
        return new ReleasePlan.Create(new ReleaseDraft(
            state.Current?.SlugId, userConfig, $"Attach {addon.Name} add-on", ReleaseTrigger.Addon, Addons: [.. attached, addon.ToAttachment()]));
    }

    /// <summary>
    /// OSB orphan mitigation: after a failed provision, bind or attach, remove what the broker
    /// may have made, so a failure leaves nothing behind. If that fails too, the add-on stays
    /// listed as <c>deprovision_failed</c>.
    /// </summary>
    private async Task<AddonOutcome> UndoAsync(Addon addon, Broker broker, CatalogPlan? plan, Refusal refusal, bool bound, CancellationToken ct)
    {
        var message = refusal.Message;
        LogAttachFailed(logger, addon.Name, message);
        try
        {
            if (bound)
            {
                try
                {
                    await osb.UnbindAsync(broker, addon.Id, addon.BindingId, addon.ServiceId, addon.PlanId, ct);
                }
                catch (BrokerException)
                {
                    // The deprovision below removes the binding with the instance, or says why it cannot.
                }
            }

            await DeprovisionInstanceAsync(broker, addon, plan, ct);
        }
        catch (BrokerException cleanup)
        {
            var stuck = $"{message} Removing the instance at the broker failed too, so it may still exist there: {cleanup.Message} "
                + $"{addon.Name} stays listed as deprovision_failed; destroy it to retry.";
            addon.DeprovisionFailed(stuck, clock.GetUtcNow());
            await db.SaveChangesAsync(ct);
            return AddonOutcome.Failure(refusal with { Message = stuck }, keepRecord: true);
        }

        addon.Fail(message, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return AddonOutcome.Failure(refusal);
    }

    private async Task<AddonOutcome> StuckAsync(Addon addon, Refusal failure, CancellationToken ct)
    {
        var message = $"{addon.Name} is detached, but the broker could not remove it: {failure.Message} It stays listed as deprovision_failed; destroy it again to retry.";
        addon.DeprovisionFailed(message, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        LogDeprovisionFailed(logger, addon.Name, failure.Message);
        return AddonOutcome.Failure(failure with { Message = message }, keepRecord: true);
    }

    private async Task DeprovisionInstanceAsync(Broker broker, Addon addon, CatalogPlan? plan, CancellationToken ct)
    {
        var (isAsync, operation) = await osb.DeprovisionAsync(broker, addon.Id, addon.ServiceId, addon.PlanId, ct);
        if (isAsync)
        {
            addon.Deprovisioning(operation, clock.GetUtcNow());
            await db.SaveChangesAsync(ct);
            await WaitForOperationAsync(broker, addon, plan, "deprovision", ct);
        }
    }

    /// <summary>
    /// Polls <c>last_operation</c> until the operation ends, backing off up to
    /// <see cref="AddonOptions.PollInterval"/> (or the broker's <c>Retry-After</c>), for at most the
    /// plan's <c>maximum_polling_duration</c> or <see cref="AddonOptions.OperationTimeout"/>.
    /// </summary>
    private async Task WaitForOperationAsync(Broker broker, Addon addon, CatalogPlan? plan, string step, CancellationToken ct)
    {
        var limit = options.Value.OperationTimeout;
        if (plan?.Plan.MaximumPollingDuration is > 0 and var seconds && TimeSpan.FromSeconds(seconds) < limit)
        {
            limit = TimeSpan.FromSeconds(seconds);
        }

        var deadline = clock.GetUtcNow() + limit;
        var pause = TimeSpan.FromMilliseconds(Math.Min(250, options.Value.PollInterval.TotalMilliseconds));
        while (true)
        {
            var (state, description, retryAfter) = await osb.LastOperationAsync(broker, addon.Id, addon.ServiceId, addon.PlanId, addon.Operation, $"report on the {step}", ct);
            switch (state)
            {
                case null when step == "deprovision":
                case OsbLastOperation.Succeeded:
                    return;
                case null:
                    throw new BrokerException(BrokerFailure.BadResponse, $"The add-on broker '{broker.Name}' no longer knows the instance it was provisioning.");
                case OsbLastOperation.Failed:
                    throw new BrokerException(BrokerFailure.OperationFailed, $"The add-on broker '{broker.Name}' could not {step} {addon.Name}: {description ?? "it gave no reason"}.");
            }

            var left = deadline - clock.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                throw new BrokerException(BrokerFailure.Timeout, $"The add-on broker '{broker.Name}' was still working on the {step} of {addon.Name} after {OsbClient.Seconds(limit)}; Slipway gave up waiting.");
            }

            var wait = retryAfter ?? pause;
            await Task.Delay(wait < left ? wait : left, clock, ct);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, options.Value.PollInterval.Ticks));
        }
    }

    /// <summary>The add-on's plan in the broker's catalog; null when the catalog cannot be had (defaults then apply).</summary>
    private async Task<CatalogPlan?> PlanOfAsync(Broker broker, Addon addon, CancellationToken ct)
    {
        try
        {
            var catalog = await registry.CatalogAsync(broker, ct);
            var service = catalog.Services!.FirstOrDefault(s => s.Id == addon.ServiceId);
            var plan = service?.Plans!.FirstOrDefault(p => p.Id == addon.PlanId);
            return plan is null ? null : new CatalogPlan(broker, service!, plan);
        }
        catch (BrokerException)
        {
            return null;
        }
    }

    private static OsbProvisionRequest ProvisionRequest(Addon addon, App app) => new(
        addon.ServiceId,
        addon.PlanId,
        OrganizationGuid: app.SpaceId.ToString(),
        SpaceGuid: app.SpaceId.ToString(),
        Context(addon, app),
        addon.Parameters is null ? null : JsonSerializer.Deserialize<JsonElement>(addon.Parameters));

    private static OsbBindRequest BindRequest(Addon addon, App app) =>
        new(addon.ServiceId, addon.PlanId, app.Id.ToString(), new OsbBindResource(app.Id.ToString()), Context(addon, app));

    private static Dictionary<string, string> Context(Addon addon, App app) => new()
    {
        ["platform"] = "slipway",
        ["app_id"] = app.Id.ToString(),
        ["app_name"] = app.Key,
        ["space_guid"] = app.SpaceId.ToString(),
        ["space_name"] = app.Space.Name,
        ["instance_name"] = addon.Name,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Attached add-on {Addon} to {App} in v{Version}")]
    private static partial void LogAttached(ILogger logger, string addon, string app, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Add-on {Addon} could not be attached, undoing it at the broker: {Reason}")]
    private static partial void LogAttachFailed(ILogger logger, string addon, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deprovisioned add-on {Addon}")]
    private static partial void LogDeprovisioned(ILogger logger, string addon);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Add-on {Addon} could not be deprovisioned: {Reason}")]
    private static partial void LogDeprovisionFailed(ILogger logger, string addon, string reason);
}
