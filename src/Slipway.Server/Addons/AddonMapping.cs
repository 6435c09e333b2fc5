using Slipway.Contracts;
using Slipway.Server.Apps;

namespace Slipway.Server.Addons;

/// <summary>The API's view of add-ons, their attachments, services and plans.</summary>
public static class AddonMapping
{
    public const string Deprovisioned = "deprovisioned";

    /// <summary>Heroku's state of a plan anyone may use.</summary>
    public const string PublicPlan = "public";

    /// <summary>What Slipway bills for any plan: nothing. Heroku's CLI shows it as <c>free</c>.</summary>
    public static PlanPrice NoCharge { get; } = new(0, "month", Contract: false, Metered: false);

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
        addon.UpdatedAt,
        NoCharge,
        Primary: true);

    /// <summary>The one attachment of a provisioned add-on: to its own app, under its name, with its binding's id.</summary>
    public static AttachmentResponse ToAttachment(Addon addon, App app)
    {
        var owner = new NamedRef(app.Id, app.Key);
        return new AttachmentResponse(
            addon.BindingId,
            addon.Name,
            new AttachmentAddon(addon.Id, addon.Name, owner, new CatalogRef(addon.PlanId, addon.PlanFullName)),
            owner,
            [.. addon.ConfigVars.Keys.Order(StringComparer.Ordinal)],
            Primary: true,
            StateName(addon.State),
            addon.DashboardUrl,
            addon.CreatedAt,
            addon.UpdatedAt);
    }

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
        new CatalogRef(service.Id, service.Name),
        PublicPlan,
        NoCharge);

    public static ReleaseAddon ToReleaseAddon(AddonAttachment attachment) =>
        new(attachment.AddonId, attachment.Name, attachment.Service, attachment.PlanFullName, [.. attachment.ConfigVars.Keys.Order(StringComparer.Ordinal)]);
}
