namespace Slipway.Server.Features;

/// <summary>A per-app switch that Slipway implements, with what it does and its default.</summary>
/// <param name="Id">Fixed for the feature (not per app), as Akkeris shows it.</param>
public sealed record Feature(Guid Id, string Name, string DisplayName, string Description, bool EnabledByDefault);

/// <summary>
/// The features an app can switch (<c>GET /apps/{app}/features</c>). Only features Slipway really
/// implements are listed: a client that sees one may rely on it doing what it says.
/// </summary>
public static class FeatureCatalog
{
    /// <summary>A succeeded build releases by itself; off, builds stop at succeeded until a release is posted for them.</summary>
    public static Feature AutoRelease { get; } = new(
        Guid.Parse("5d1a8c2e-0b7f-4c1e-9a57-6f2d3b8e4a10"),
        "auto-release",
        "Auto release builds",
        "When the application receives a new build, whether it releases the build by itself once it has succeeded. "
            + "Off, a build stops at succeeded until a release is posted for it (POST /apps/{app}/releases {\"slug\": \"<build id>\"}). "
            + "A build that says \"deploy\" itself, and auto-deploy from a watched branch, are not affected.",
        EnabledByDefault: true);

    public static IReadOnlyList<Feature> All { get; } = [AutoRelease];

    public static Feature? Find(string name) => All.FirstOrDefault(f => f.Name == name);
}
