namespace Slipway.Contracts;

/// <summary>A per-app feature in Akkeris's shape; <see cref="State"/> is how far along it is (<c>public</c>).</summary>
public sealed record FeatureResponse(Guid Id, string Name, string DisplayName, string Description, string DocUrl, string State, bool Enabled);

/// <summary>Switches a feature: <c>{"enabled": true}</c> or <c>{"enabled": false}</c>.</summary>
public sealed record UpdateFeatureRequest(bool? Enabled);
