using System.Globalization;

namespace Slipway.Cli.Output;

/// <summary>How <c>aka</c> writes times: relative (<c>2 minutes ago</c>) in lists, ISO 8601 UTC in details.</summary>
public static class TimeText
{
    /// <summary>
    /// <c>N seconds|minutes|hours|days|months|years ago</c>, always with a number (<c>1 minute ago</c>,
    /// never "a minute ago"), counting whole units; a month is 30 days, a year 365. A time in the
    /// future (a clock skewed against the server's) reads as <c>0 seconds ago</c>.
    /// </summary>
    public static string Relative(DateTimeOffset then, DateTimeOffset now)
    {
        var elapsed = now - then;
        if (elapsed < TimeSpan.Zero)
        {
            elapsed = TimeSpan.Zero;
        }

        var days = (long)elapsed.TotalDays;
        return elapsed switch
        {
            { TotalMinutes: < 1 } => Ago((long)elapsed.TotalSeconds, "second"),
            { TotalHours: < 1 } => Ago((long)elapsed.TotalMinutes, "minute"),
            { TotalDays: < 1 } => Ago((long)elapsed.TotalHours, "hour"),
            _ when days < 30 => Ago(days, "day"),
            _ when days < 365 => Ago(days / 30, "month"),
            _ => Ago(days / 365, "year"),
        };
    }

    /// <summary>
    /// A short span as <c>aka ps</c> shows it: <c>10s</c>, <c>3m</c>, <c>2h</c>, <c>4d</c> (whole units,
    /// the largest that fits); a time in the future reads <c>0s</c>.
    /// </summary>
    public static string Short(DateTimeOffset then, DateTimeOffset now)
    {
        var elapsed = now - then;
        if (elapsed < TimeSpan.Zero)
        {
            elapsed = TimeSpan.Zero;
        }

        return elapsed switch
        {
            { TotalMinutes: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{(long)elapsed.TotalSeconds}s"),
            { TotalHours: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{(long)elapsed.TotalMinutes}m"),
            { TotalDays: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{(long)elapsed.TotalHours}h"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{(long)elapsed.TotalDays}d"),
        };
    }

    /// <summary>ISO 8601 in UTC to the second: <c>2026-11-27T14:02:59Z</c>.</summary>
    public static string Iso(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Ago(long count, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {unit}{(count == 1 ? "" : "s")} ago");
}
