using System.Globalization;

namespace Slipway.Server.Ui;

/// <summary>
/// Times as the CLI says them (<c>3 minutes ago</c>, <c>16 days ago</c>), with the exact UTC
/// time for the hover title. The dashboard's script keeps the words fresh with the same steps.
/// </summary>
public static class RelativeTime
{
    public static string Ago(DateTimeOffset then, DateTimeOffset now)
    {
        var seconds = Math.Max(0, (now - then).TotalSeconds);
        return seconds switch
        {
            < 45 => "just now",
            < 90 => "1 minute ago",
            < 45 * 60 => Plural(Math.Round(seconds / 60), "minute"),
            < 90 * 60 => "1 hour ago",
            < 22 * 3600 => Plural(Math.Round(seconds / 3600), "hour"),
            < 36 * 3600 => "1 day ago",
            < 30 * 86400 => Plural(Math.Round(seconds / 86400), "day"),
            < 365 * 86400 => Plural(Math.Max(1, Math.Round(seconds / (30 * 86400))), "month"),
            _ => Plural(Math.Max(1, Math.Round(seconds / (365 * 86400))), "year"),
        };
    }

    /// <summary>The exact time, in UTC, for a title; the script replaces it with the browser's local time.</summary>
    public static string Exact(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>The <c>datetime</c> attribute of a <c>&lt;time&gt;</c> element.</summary>
    public static string Machine(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Plural(double n, string unit) => n == 1 ? $"1 {unit} ago" : string.Create(CultureInfo.InvariantCulture, $"{n:0} {unit}s ago");
}
