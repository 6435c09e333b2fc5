namespace Slipway.Server.Releases;

/// <summary>
/// What a rollback to <see cref="Target"/> would change against the release serving now, as
/// <see cref="Rollback.PlanAsync"/> builds it: the target's slug and user config vars. Config
/// is compared by value but reported by name only, so a preview never carries a secret.
/// </summary>
/// <param name="Serving">The release serving now; null before any release succeeded.</param>
/// <param name="Added">Names the target has and the serving release lacks.</param>
/// <param name="Removed">Names the serving release has and the target lacks.</param>
/// <param name="Changed">Names both have, with different values.</param>
public sealed record RollbackPreview(
    Release Target,
    Release? Serving,
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Removed,
    IReadOnlyList<string> Changed)
{
    /// <summary>Whether the rollback runs other code than what serves now.</summary>
    public bool SlugChanges => Target.SlugId != Serving?.SlugId;

    public bool ConfigChanges => Added.Count + Removed.Count + Changed.Count > 0;

    public static RollbackPreview Of(Release target, Release? serving)
    {
        var now = serving?.ConfigVars ?? [];
        var then = target.ConfigVars;
        return new RollbackPreview(
            target,
            serving,
            then.Keys.Where(k => !now.ContainsKey(k)).Order(StringComparer.Ordinal).ToList(),
            now.Keys.Where(k => !then.ContainsKey(k)).Order(StringComparer.Ordinal).ToList(),
            then.Where(kv => now.TryGetValue(kv.Key, out var value) && value != kv.Value).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList());
    }
}
