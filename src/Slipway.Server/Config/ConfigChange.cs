using System.Text;
using System.Text.RegularExpressions;
using Slipway.Server.Http;

namespace Slipway.Server.Config;

/// <summary>
/// One PATCH of config vars: which keys it sets and removes, checked against the rules
/// (key pattern and length, value size, no NUL; how many vars an app has and their total size),
/// applied to a base config, and described for the release.
/// </summary>
public sealed partial record ConfigChange(IReadOnlyList<KeyValuePair<string, string>> Sets, IReadOnlyList<string> Removes)
{
    public const int MaxValueBytes = 32 * 1024;

    public const int MaxKeyLength = 255;

    /// <summary>The most config vars an app has (and so the most keys one PATCH may name).</summary>
    public const int MaxKeys = 1000;

    /// <summary>The most all of an app's user config vars may take together, names and values in UTF-8.</summary>
    public const int MaxTotalBytes = 512 * 1024;

    /// <summary>A release description lists the names it changed while it stays this short; beyond, it counts them.</summary>
    private const int MaxListedDescription = 1024;

    /// <summary>Reads a PATCH body (null value = remove); a refusal names the key, never the value.</summary>
    public static Answer<ConfigChange> Parse(IReadOnlyDictionary<string, string?> body)
    {
        if (body.Count > MaxKeys)
        {
            return Refusal.Invalid($"The change names {body.Count} config vars; at most {MaxKeys} are allowed per app.");
        }

        var sets = new List<KeyValuePair<string, string>>();
        var removes = new List<string>();
        foreach (var (key, value) in body)
        {
            if (key.Length > MaxKeyLength)
            {
                return Refusal.TooLong($"Config var name '{Shorten(key)}'", key.Length, MaxKeyLength);
            }

            if (!IsValidName(key))
            {
                return Refusal.Invalid($"Config var name '{Shorten(key)}' is not valid: names match ^[A-Za-z_][A-Za-z0-9_]*$ and are at most {MaxKeyLength} characters.");
            }

            if (value is null)
            {
                removes.Add(key);
            }
            else if (Encoding.UTF8.GetByteCount(value) is var bytes && bytes > MaxValueBytes)
            {
                return Refusal.Invalid($"The value of {key} is {bytes} bytes; at most {MaxValueBytes} are allowed.");
            }
            else if (value.Contains('\0', StringComparison.Ordinal))
            {
                // A process environment cannot hold a NUL: it would cut the value short, silently.
                return Refusal.Invalid($"The value of {key} contains a NUL character, which an environment variable cannot hold.");
            }
            else
            {
                sets.Add(new(key, value));
            }
        }

        return new ConfigChange(sets, removes);
    }

    /// <summary>Why an app cannot have <paramref name="config"/> (too many vars, too large together), or null when it can.</summary>
    public static string? SizeProblem(IReadOnlyDictionary<string, string> config)
    {
        if (config.Count > MaxKeys)
        {
            return $"The app would have {config.Count} config vars; at most {MaxKeys} are allowed.";
        }

        var total = config.Sum(c => (long)Encoding.UTF8.GetByteCount(c.Key) + Encoding.UTF8.GetByteCount(c.Value));
        return total > MaxTotalBytes ? $"The app's config vars would take {total} bytes together; at most {MaxTotalBytes} are allowed." : null;
    }

    /// <summary>Whether <paramref name="key"/> may name a config var.</summary>
    public static bool IsValidName(string key) => key.Length <= MaxKeyLength && KeyPattern().IsMatch(key);

    /// <summary>The config after this change, and the description of what really changed (null: nothing did).</summary>
    public (Dictionary<string, string> Config, string? Description) ApplyTo(IReadOnlyDictionary<string, string> current)
    {
        var config = new Dictionary<string, string>(current, StringComparer.Ordinal);
        var set = new List<string>();
        var removed = new List<string>();
        foreach (var (key, value) in Sets)
        {
            if (!config.TryGetValue(key, out var old) || old != value)
            {
                config[key] = value;
                set.Add(key);
            }
        }

        foreach (var key in Removes)
        {
            if (config.Remove(key))
            {
                removed.Add(key);
            }
        }

        var clauses = new List<string>();
        if (set.Count > 0)
        {
            clauses.Add($"Set {string.Join(", ", set)} config vars");
        }

        if (removed.Count > 0)
        {
            clauses.Add($"Remove {string.Join(", ", removed)} config vars");
        }

        var description = string.Join("; ", clauses);
        if (description.Length > MaxListedDescription)
        {
            description = string.Join("; ", new[] { (Verb: "Set", set.Count), (Verb: "Remove", removed.Count) }.Where(c => c.Count > 0).Select(c => $"{c.Verb} {c.Count} config vars"));
        }

        return (config, clauses.Count == 0 ? null : description);
    }

    private static string Shorten(string key) => key.Length > 40 ? key[..40] + "…" : key;

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex KeyPattern();
}
