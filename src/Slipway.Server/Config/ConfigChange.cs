using System.Text;
using System.Text.RegularExpressions;
using Slipway.Server.Accounts;
using Slipway.Server.Addons;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Releases;

namespace Slipway.Server.Config;

/// <summary>
/// One PATCH of config vars: which keys it sets and removes, checked against the rules
/// (key pattern, value size), applied to a base config, and described for the release.
/// </summary>
public sealed partial record ConfigChange(IReadOnlyList<KeyValuePair<string, string>> Sets, IReadOnlyList<string> Removes)
{
    public const int MaxValueBytes = 32 * 1024;

    public const int MaxKeyLength = 255;

    /// <summary>Reads a PATCH body (null value = remove); the error names the key, never the value.</summary>
    public static ConfigChange? Parse(IReadOnlyDictionary<string, string?> body, out string? error)
    {
        error = null;
        var sets = new List<KeyValuePair<string, string>>();
        var removes = new List<string>();
        foreach (var (key, value) in body)
        {
            if (!IsValidName(key))
            {
                error = $"Config var name '{Shorten(key)}' is not valid: names match ^[A-Za-z_][A-Za-z0-9_]*$ and are at most {MaxKeyLength} characters.";
                return null;
            }

            if (value is null)
            {
                removes.Add(key);
            }
            else if (Encoding.UTF8.GetByteCount(value) > MaxValueBytes)
            {
                error = $"The value of {key} is larger than {MaxValueBytes / 1024} KiB.";
                return null;
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

    /// <summary>
    /// Makes this change's release through <see cref="ReleaseService"/>, on the base release's
    /// config; no release when nothing really changes, and a refusal (409) when it would set or
    /// remove a var an attached add-on provides. Answers the app's whole config afterwards (user
    /// vars plus add-on vars).
    /// </summary>
    public async Task<(ReleaseOutcome Outcome, Dictionary<string, string> Config)> ReleaseAsync(ReleaseService releases, SlipwayDb db, App app, Caller caller, CancellationToken ct)
    {
        Dictionary<string, string> result = [];
        var outcome = await releases.AppendAsync(
            app,
            caller,
            async (state, token) =>
            {
                var addons = await AddonQueries.AttachedAsync(db, app.Id, token);
                if (AddonConfig.UserChangeClash(Sets.Select(s => s.Key).Concat(Removes), addons) is { } clash)
                {
                    return new ReleasePlan.Refuse(StatusCodes.Status409Conflict, "conflict", clash);
                }

                var (config, description) = ApplyTo(state.Base?.ConfigVars ?? []);
                result = ReleaseEnvironment.Combine(config, addons);
                return description is null
                    ? new ReleasePlan.Unchanged("No config vars changed; no release was created.")
                    : new ReleasePlan.Create(new ReleaseDraft(state.Base?.SlugId, config, description, ReleaseTrigger.Config));
            },
            ReleaseConditions.None,
            ct);
        return (outcome, result);
    }

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
