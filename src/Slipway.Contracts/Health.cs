namespace Slipway.Contracts;

public sealed record HealthResponse(string Status, string Version);
