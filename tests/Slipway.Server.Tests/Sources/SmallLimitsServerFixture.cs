namespace Slipway.Server.Tests.Sources;

/// <summary>A SQLite server whose source and slug limits are small enough for tests to exceed cheaply.</summary>
public sealed class SmallLimitsServerFixture : SlipwayServerFixture
{
    public const long MaxSourceBytes = 1_000_000;
    public const long MaxUnpackedBytes = 200_000;
    public const long MaxFileBytes = 100_000;
    public const int MaxEntries = 50;

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Slipway:Builds:MaxSourceBytes"] = MaxSourceBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Slipway:Builds:MaxUnpackedBytes"] = MaxUnpackedBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Slipway:Builds:MaxFileBytes"] = MaxFileBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Slipway:Builds:MaxEntries"] = MaxEntries.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Slipway:Slugs:MaxUnpackedBytes"] = MaxUnpackedBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Slipway:Slugs:MaxFileBytes"] = MaxFileBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Slipway:Slugs:MaxEntries"] = MaxEntries.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
