using System.Text.Json;

namespace Slipway.Contracts;

/// <summary>
/// Attaches a new add-on: <see cref="Plan"/> is <c>service:plan</c> (or just <c>service</c> for
/// its first plan); <see cref="Name"/> is generated when left out; <see cref="Config"/> goes to
/// the broker as the provision's <c>parameters</c>.
/// </summary>
public sealed record CreateAddonRequest(string? Plan, string? Name, Dictionary<string, JsonElement>? Config = null);

/// <summary>An add-on service or plan as the broker's catalog names it (OSB ids are strings).</summary>
public sealed record CatalogRef(string Id, string Name);

/// <summary>
/// An add-on of an app. <see cref="State"/> is <c>provisioning</c>, <c>provisioned</c> (attached:
/// its config vars are in the app's config), <c>deprovisioning</c>, <c>deprovisioned</c> (only in
/// the answer to a destroy), <c>deprovision_failed</c> (detached, but the broker still holds it:
/// destroy again) or <c>failed</c> (never attached; <see cref="StateMessage"/> says why).
/// <see cref="ConfigVars"/> names the vars it gives the app, never their values.
/// <see cref="BilledPrice"/> is Heroku's (Slipway bills nothing: 0 cents); <see cref="Primary"/> is
/// Akkeris's (each add-on is its app's own, so always true).
/// </summary>
public sealed record AddonResponse(
    Guid Id,
    string Name,
    NamedRef App,
    CatalogRef AddonService,
    CatalogRef Plan,
    string State,
    string? StateMessage,
    IReadOnlyList<string> ConfigVars,
    string Broker,
    string? WebUrl,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    PlanPrice BilledPrice,
    bool Primary);

/// <summary>A plan's price as Heroku and Akkeris show it: cents per <see cref="Unit"/> (<c>month</c>).</summary>
public sealed record PlanPrice(int Cents, string Unit, bool Contract, bool Metered);

/// <summary>The add-on of an attachment: which one, whose, and its plan.</summary>
public sealed record AttachmentAddon(Guid Id, string Name, NamedRef App, CatalogRef Plan);

/// <summary>
/// Heroku's add-on attachment: an add-on attached to an app, under <see cref="Name"/> (the add-on's
/// name). In Slipway an add-on is attached to the app that owns it, from the moment it is
/// provisioned until it is destroyed, so each provisioned add-on has exactly one attachment.
/// <see cref="ConfigVars"/> names the vars it gives the app.
/// </summary>
public sealed record AttachmentResponse(
    Guid Id,
    string Name,
    AttachmentAddon Addon,
    NamedRef App,
    IReadOnlyList<string> ConfigVars,
    bool Primary,
    string State,
    string? WebUrl,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A service offered by one of the registered brokers.</summary>
public sealed record AddonServiceResponse(
    string Id,
    string Name,
    string HumanName,
    string Description,
    string State,
    string Broker,
    IReadOnlyList<string> Plans);

/// <summary>
/// A plan; <see cref="Name"/> is <c>service:plan</c>, what <c>addons:create</c> takes.
/// <see cref="State"/> is <c>public</c>; <see cref="Free"/> is the broker's word, while
/// <see cref="Price"/> is what Slipway bills (nothing).
/// </summary>
public sealed record AddonPlanResponse(
    string Id,
    string Name,
    string HumanName,
    string Description,
    bool Free,
    bool Default,
    CatalogRef AddonService,
    string State,
    PlanPrice Price);

/// <summary>
/// A service broker. <see cref="Source"/> is <c>built_in</c>, <c>configuration</c> or <c>api</c>;
/// only <c>api</c> brokers can be removed through the API. Passwords are never shown.
/// </summary>
public sealed record AddonBrokerResponse(
    string Name,
    string Url,
    string? Username,
    string Source,
    bool Available,
    string? UnavailableReason,
    IReadOnlyList<string> Services,
    string? CatalogError,
    DateTimeOffset? CatalogFetchedAt);

public sealed record CreateAddonBrokerRequest(string? Name, string? Url, string? Username, string? Password);

/// <summary>An add-on as a release recorded it: what the app got from it in that release.</summary>
public sealed record ReleaseAddon(Guid Id, string Name, string Service, string Plan, IReadOnlyList<string> ConfigVarNames);

/// <summary>
/// On a rollback release: an add-on that differs between the rollback's target and now, and so
/// was not rolled back. <see cref="AttachedNow"/> true: attached since the target and still
/// attached (its data stays as it is now); false: the target had it, it has been detached since.
/// </summary>
public sealed record AddonDifference(Guid Id, string Name, string Plan, bool AttachedNow);
