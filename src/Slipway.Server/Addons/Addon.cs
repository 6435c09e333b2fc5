using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Slipway.Server.Apps;
using Slipway.Server.Data;

namespace Slipway.Server.Addons;

public enum AddonState
{
    /// <summary>Asked of the broker; not attached yet.</summary>
    Provisioning,

    /// <summary>Provisioned, bound and attached: its config vars are in the app's releases.</summary>
    Provisioned,

    /// <summary>Detached (a Detach release exists); being unbound and deprovisioned.</summary>
    Deprovisioning,

    /// <summary>Detached, but the broker failed to unbind or deprovision it: it still exists there.</summary>
    DeprovisionFailed,

    /// <summary>Never attached, and cleaned up at the broker; kept so the reason can be read.</summary>
    Failed,
}

/// <summary>
/// An add-on of an app: one service instance at a broker (its OSB instance id is <see cref="Id"/>)
/// with one binding, whose credentials become the app's config vars while it is attached.
/// The row lives from the provision request until the broker confirms deprovisioning, so an
/// instance that exists at a broker is never lost track of.
/// </summary>
public sealed class Addon
{
    private Addon()
    {
    }

    public Guid Id { get; private set; }

    public Guid AppId { get; private set; }

    public string Name { get; private set; } = "";

    public string BrokerName { get; private set; } = "";

    public string ServiceId { get; private set; } = "";

    public string ServiceName { get; private set; } = "";

    public string PlanId { get; private set; } = "";

    public string PlanName { get; private set; } = "";

    /// <summary>The provision's <c>parameters</c>, as JSON.</summary>
    public string? Parameters { get; private set; }

    public AddonState State { get; private set; }

    /// <summary>Why the add-on is in a failed state; never holds credentials.</summary>
    public string? StateMessage { get; private set; }

    /// <summary>The broker's token for the asynchronous operation in progress, if any.</summary>
    public string? Operation { get; private set; }

    public Guid BindingId { get; private set; }

    /// <summary>Whether the binding was made (services that are not bindable attach without one).</summary>
    public bool Bound { get; private set; }

    /// <summary>The config vars the binding gives the app (credentials keys, upper-cased).</summary>
    public Dictionary<string, string> ConfigVars { get; private set; } = [];

    public string? DashboardUrl { get; private set; }

    /// <summary>Who asked for it; the Attach release is theirs.</summary>
    public Guid CreatedBy { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary><c>service:plan</c>, as Heroku names plans.</summary>
    public string PlanFullName => $"{ServiceName}:{PlanName}";

    public static Addon Create(Guid appId, string name, string brokerName, CatalogPlan plan, string? parameters, Guid createdBy, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        AppId = appId,
        Name = name,
        BrokerName = brokerName,
        ServiceId = plan.Service.Id,
        ServiceName = plan.Service.Name,
        PlanId = plan.Plan.Id,
        PlanName = plan.Plan.Name,
        Parameters = parameters,
        State = AddonState.Provisioning,
        BindingId = Guid.CreateVersion7(now),
        CreatedBy = createdBy,
        CreatedAt = now,
        UpdatedAt = now,
    };

    public void Provisioning(string? operation, string? dashboardUrl, DateTimeOffset now)
    {
        Ensure(AddonState.Provisioning);
        Operation = operation;
        DashboardUrl = dashboardUrl ?? DashboardUrl;
        UpdatedAt = now;
    }

    /// <summary>Attached: from the release being made now on, the app gets <paramref name="configVars"/>.</summary>
    public void Attach(IReadOnlyDictionary<string, string> configVars, bool bound, DateTimeOffset now)
    {
        Ensure(AddonState.Provisioning);
        State = AddonState.Provisioned;
        Bound = bound;
        ConfigVars = new Dictionary<string, string>(configVars, StringComparer.Ordinal);
        Operation = null;
        StateMessage = null;
        UpdatedAt = now;
    }

    /// <summary>Detached: the release being made now no longer has it; the broker is told next.</summary>
    public void Detach(DateTimeOffset now)
    {
        Ensure(AddonState.Provisioned);
        State = AddonState.Deprovisioning;
        UpdatedAt = now;
    }

    /// <summary>Another attempt at deprovisioning, after an earlier one failed or was interrupted.</summary>
    public void RetryDeprovision(DateTimeOffset now)
    {
        Ensure(AddonState.DeprovisionFailed, AddonState.Deprovisioning);
        State = AddonState.Deprovisioning;
        StateMessage = null;
        UpdatedAt = now;
    }

    public void Deprovisioning(string? operation, DateTimeOffset now)
    {
        Operation = operation;
        UpdatedAt = now;
    }

    /// <summary>The broker still holds the instance; the message says what failed, never a credential.</summary>
    public void DeprovisionFailed(string message, DateTimeOffset now)
    {
        State = AddonState.DeprovisionFailed;
        StateMessage = message;
        Operation = null;
        UpdatedAt = now;
    }

    /// <summary>Never attached, and nothing is left at the broker.</summary>
    public void Fail(string message, DateTimeOffset now)
    {
        Ensure(AddonState.Provisioning);
        State = AddonState.Failed;
        StateMessage = message;
        Operation = null;
        UpdatedAt = now;
    }

    public AddonAttachment ToAttachment() =>
        new(Id, Name, ServiceName, PlanName, new Dictionary<string, string>(ConfigVars, StringComparer.Ordinal));

    private void Ensure(params AddonState[] allowed)
    {
        if (!allowed.Contains(State))
        {
            throw new InvalidOperationException($"Add-on {Name} is {State}, not {string.Join(" or ", allowed)}.");
        }
    }
}

internal sealed class AddonConfiguration : IEntityTypeConfiguration<Addon>
{
    public void Configure(EntityTypeBuilder<Addon> addon)
    {
        addon.Property(a => a.Name).HasMaxLength(63);
        addon.HasIndex(a => new { a.AppId, a.Name }).IsUnique();
        addon.HasIndex(a => a.State);
        addon.Property(a => a.BrokerName).HasMaxLength(63);
        addon.Property(a => a.ServiceId).HasMaxLength(255);
        addon.Property(a => a.ServiceName).HasMaxLength(255);
        addon.Property(a => a.PlanId).HasMaxLength(255);
        addon.Property(a => a.PlanName).HasMaxLength(255);
        addon.Property(a => a.State).HasConversion<string>().HasMaxLength(32);
        addon.Property(a => a.StateMessage).HasMaxLength(4096);
        addon.Property(a => a.Operation).HasMaxLength(10000);
        addon.Property(a => a.ConfigVars).HasJsonConversion(JsonColumn.ByEntries<string>());
        addon.Ignore(a => a.PlanFullName);

        // Restrict: an app with add-ons is not destroyed before they are (their instances live at brokers).
        addon.HasOne<App>().WithMany().HasForeignKey(a => a.AppId).OnDelete(DeleteBehavior.Restrict);
    }
}

/// <summary>
/// An add-on as one release records it: which instance, and the config vars (names and values)
/// the app gets from it in that release. Stored with the release, so a release's environment
/// can be computed from the release alone (<see cref="Releases.ReleaseEnvironment"/>).
/// </summary>
public sealed record AddonAttachment(Guid AddonId, string Name, string Service, string Plan, Dictionary<string, string> ConfigVars)
{
    public string PlanFullName => $"{Service}:{Plan}";
}
