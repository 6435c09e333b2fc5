using System.Text;
using System.Text.RegularExpressions;
using Slipway.Server.Http;

namespace Slipway.Server.Config;

/// <summary>
/// One PATCH of config vars: which keys it sets and removes, checked against the rules
/// (key pattern, value size), applied to a base config, and described for the release.
/// </summary>
public sealed partial record ConfigChange(IReadOnlyList<KeyValuePair<string, string>> Sets, IReadOnlyList<string> Removes)
{
    public const int MaxValueBytes = 32 * 1024;

    public const int MaxKeyLength = 255;

    /// <summary>Reads a PATCH body (null value = remove); a refusal names the key, never the value.</summary>
    public static Answer<ConfigChange> Parse(IReadOnlyDictionary<string, string?> body)
    {
        var sets = new List<KeyValuePair<string, string>>();
        var removes = new List<string>();
        foreach (var (key, value) in body)
        {
            if (!IsValidName(key))
            {
                return Refusal.Invalid($"Config var name '{Shorten(key)}' is not valid: names match ^[A-Za-z_][A-Za-z0-9_]*$ and are at most {MaxKeyLength} characters.");
            }

            if (value is null)
            {
                removes.Add(key);
            }
            else if (Encoding.UTF8.GetByteCount(value) > MaxValueBytes)
            {
                return Refusal.Invalid($"The value of {key} is larger than {MaxValueBytes / 1024} KiB.");
            }
            else
            {
                sets.Add(new(key, value));
            }
        }

        return new ConfigChange(sets, removes);
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

        return (config, clauses.Count == 0 ? null : string.Join("; ", clauses));
    }

    private static string Shorten(string key) => key.Length > 40 ? key[..40] + "…" : key;

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex KeyPattern();
}
