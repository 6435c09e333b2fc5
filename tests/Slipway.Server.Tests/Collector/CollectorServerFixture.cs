using Slipway.Server.Tests.Runtime;

namespace Slipway.Server.Tests.Collector;

/// <summary>
/// The runtime's server with a collector that runs every second and a grace period of an hour (tests move
/// the clock past it), and an unpacked-slug cache of one byte: every unpacked slug that no process runs goes at once.
/// </summary>
public class CollectorServerFixture : RuntimeServerFixture
{
    public static readonly TimeSpan GracePeriod = TimeSpan.FromHours(1);

    public CollectorServerFixture()
    {
    }

    protected CollectorServerFixture(PostgresServer postgres)
        : base(postgres)
    {
    }

    protected override IReadOnlyDictionary<string, string?> Settings => base.Settings.With(new Dictionary<string, string?>
    {
        ["Slipway:Collector:Interval"] = "00:00:01",
        ["Slipway:Collector:GracePeriod"] = GracePeriod.ToString(),
        ["Slipway:Runtime:SlugCacheMaxBytes"] = "1",
    });

    /// <summary>The data folder's entries (relative paths) whose path names any of <paramref name="needles"/>.</summary>
    public IReadOnlyList<string> FindOnDisk(params IEnumerable<string> needles) =>
        [.. Directory.EnumerateFileSystemEntries(Server.DataDir, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 })
            .Select(e => Path.GetRelativePath(Server.DataDir, e))
            .Where(e => needles.Any(n => e.Contains(n, StringComparison.OrdinalIgnoreCase)))];
}

/// <summary>The collector's server on PostgreSQL.</summary>
public sealed class PostgresCollectorServerFixture(PostgresServer postgres) : CollectorServerFixture(postgres);
