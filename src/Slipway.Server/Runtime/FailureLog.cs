namespace Slipway.Server.Runtime;

/// <summary>
/// The lines a failed release keeps to say why (its failing process's last log lines, or the end of
/// its release phase): at most <see cref="MaxLines"/> lines and <see cref="MaxChars"/> characters,
/// the newest kept. Only what the app itself printed: never the config it ran with.
/// </summary>
public static class FailureLog
{
    public const int MaxLines = 20;

    public const int MaxChars = 8 * 1024;

    /// <summary>The tail of <paramref name="lines"/> within the bounds, one line per <c>\n</c>; null when there is none.</summary>
    public static string? Of(IEnumerable<string> lines)
    {
        var kept = new List<string>();
        var chars = 0;
        foreach (var line in lines.Reverse().Take(MaxLines))
        {
            var text = line.Length > MaxChars ? line[^MaxChars..] : line;
            if (chars + text.Length + 1 > MaxChars)
            {
                break;
            }

            kept.Add(text);
            chars += text.Length + 1;
        }

        kept.Reverse();
        return kept.Count == 0 ? null : string.Concat(kept.Select(l => l + "\n"));
    }

    /// <summary>The tail of a process's output as one text (a release phase's).</summary>
    public static string? OfText(string output) =>
        Of(output.Split('\n').Select(l => l.TrimEnd('\r')).Reverse().SkipWhile(l => l.Length == 0).Reverse());
}
