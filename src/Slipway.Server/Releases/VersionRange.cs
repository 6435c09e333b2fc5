using System.Text.RegularExpressions;

namespace Slipway.Server.Releases;

/// <summary>
/// Heroku's <c>Range: version ..; max=N</c> paging header: optional bounds (<c>]N</c> makes the
/// first exclusive), <c>max</c> (default 200, at most 1000) and <c>order=asc|desc</c>.
/// </summary>
public sealed partial record VersionRange(int? First, bool FirstExclusive, int? Last, int Max, bool Descending)
{
    public const int DefaultMax = 200;

    public const int MaxMax = 1000;

    public static VersionRange All { get; } = new(null, false, null, DefaultMax, false);

    /// <summary>Parses the header; null header means everything, a malformed one is an error.</summary>
    public static bool TryParse(string? header, out VersionRange range, out string? error)
    {
        range = All;
        error = null;
        if (string.IsNullOrWhiteSpace(header))
        {
            return true;
        }

        var match = Pattern().Match(header);
        if (!match.Success)
        {
            error = $"Range '{header}' is not valid: use 'version ..; max=N' (optionally 'version ]N..; max=N, order=desc').";
            return false;
        }

        int? Number(Group g) => g.Success ? int.Parse(g.Value, System.Globalization.CultureInfo.InvariantCulture) : null;
        var max = DefaultMax;
        var descending = false;
        foreach (var part in match.Groups["params"].Value.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            switch (pair[0])
            {
                case "max" when pair.Length == 2 && int.TryParse(pair[1], out var m) && m > 0:
                    max = Math.Min(m, MaxMax);
                    break;
                case "order" when pair.Length == 2 && pair[1] is "asc" or "desc":
                    descending = pair[1] == "desc";
                    break;
                default:
                    error = $"Range parameter '{part}' is not valid: use max=N (1..{MaxMax}) or order=asc|desc.";
                    return false;
            }
        }

        range = new VersionRange(Number(match.Groups["first"]), match.Groups["excl"].Success, Number(match.Groups["last"]), max, descending);
        return true;
    }

    /// <summary>The lowest version included, if bounded below.</summary>
    public int? Low => First is { } f ? (FirstExclusive ? f + 1 : f) : null;

    /// <summary>The header that asks for the page after one that ended at <paramref name="lastVersion"/>.</summary>
    public string NextAfter(int lastVersion) => Descending
        ? $"version {(Low is { } low ? low.ToString(System.Globalization.CultureInfo.InvariantCulture) : "")}..{lastVersion - 1}; max={Max}, order=desc"
        : $"version ]{lastVersion}..{Last?.ToString(System.Globalization.CultureInfo.InvariantCulture)}; max={Max}";

    [GeneratedRegex(@"^\s*version\s+(?<excl>\])?(?<first>\d{1,9})?\s*\.\.\s*(?<last>\d{1,9})?\s*(;\s*(?<params>.*))?$")]
    private static partial Regex Pattern();
}
