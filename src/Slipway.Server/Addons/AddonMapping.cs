using Slipway.Contracts;
using Slipway.Server.Apps;

namespace Slipway.Server.Addons;

public static class AddonMapping
{
    public const string Deprovisioned = "deprovisioned";

    public static string StateName(AddonState state) => state switch
    {
        AddonState.Provisioning => "provisioning",
        AddonState.Provisioned => "provisioned",
        AddonState.Deprovisioning => "deprovisioning",
        AddonState.DeprovisionFailed => "deprovision_failed",
        AddonState.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    public static AddonResponse ToResponse(Addon addon, App app, string? state = null) => new(
        addon.Id,
        addon.Name,
        new NamedRef(app.Id, app.Key),
        new CatalogRef(addon.ServiceId, addon.ServiceName),
        new CatalogRef(addon.PlanId, addon.PlanFullName),
        state ?? StateName(addon.State),
        addon.StateMessage,
        [.. addon.ConfigVars.Keys.Order(StringComparer.Ordinal)],
        addon.BrokerName,
        addon.DashboardUrl,
        addon.CreatedAt,
        addon.UpdatedAt);

    public static AddonServiceResponse ToResponse(Broker broker, OsbService service) => new(
        service.Id,
        service.Name,
        service.DisplayName,
        service.Description ?? "",
        "ga",
        broker.Name,
        [.. (service.Plans ?? []).Select(p => $"{service.Name}:{p.Name}")]);

    public static AddonPlanResponse ToResponse(OsbService service, OsbPlan plan, bool isDefault) => new(
        plan.Id,
        $"{service.Name}:{plan.Name}",
        plan.Name,
        plan.Description ?? "",
        plan.Free ?? true,
        isDefault,
        new CatalogRef(service.Id, service.Name));

    public static ReleaseAddon ToReleaseAddon(AddonAttachment attachment) =>
        new(attachment.AddonId, attachment.Name, attachment.Service, attachment.PlanFullName, [.. attachment.ConfigVars.Keys.Order(StringComparer.Ordinal)]);
}
