namespace Slipway.Server.Addons.BuiltIn;

/// <summary>
/// A broker Slipway serves itself (<see cref="BuiltInBrokersApi"/> puts it on the OSB HTTP
/// protocol, and Slipway calls it through <see cref="OsbClient"/> like any other broker).
/// Built-in brokers work synchronously and offer one service each.
/// </summary>
public interface IBuiltInBroker
{
    string Name { get; }

    /// <summary>What has to be configured before this broker can work, or null when it can.</summary>
    string? MissingConfiguration { get; }

    OsbService Service { get; }

    /// <summary>Creates the instance; false when it already existed (a repeated request).</summary>
    Task<bool> ProvisionAsync(Guid instanceId, CancellationToken ct);

    Task<bool> ExistsAsync(Guid instanceId, CancellationToken ct);

    /// <summary>The binding's credentials; the platform upper-cases the keys into config vars.</summary>
    Task<Dictionary<string, string>> BindAsync(Guid instanceId, Guid bindingId, CancellationToken ct);

    Task UnbindAsync(Guid instanceId, Guid bindingId, CancellationToken ct);

    /// <summary>Removes the instance and everything in it; false when there was none.</summary>
    Task<bool> DeprovisionAsync(Guid instanceId, CancellationToken ct);
}
