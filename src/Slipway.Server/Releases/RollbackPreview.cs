namespace Slipway.Server.Releases;

/// <summary>
/// What a rollback to <see cref="Target"/> would change against the current release (the newest
/// that did not fail, which a rollback is measured against), as <see cref="Rollback.PlanAsync"/>
/// builds it: the target's slug and user config vars. Config is compared by value but reported by
/// name only, so a preview never carries a secret.
/// </summary>
/// <param name="Current">The current release; null while there is none.</param>
/// <param name="Added">Names the target has and the current release lacks.</param>
/// <param name="Removed">Names the current release has and the target lacks.</param>
/// <param name="Changed">Names both have, with different values.</param>
public sealed record RollbackPreview(
    Release Target,
    Release? Current,
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Removed,
    IReadOnlyList<string> Changed)
{
    /// <summary>Whether the rollback runs other code than the current release.</summary>
    public bool SlugChanges => Target.SlugId != Current?.SlugId;

    public bool ConfigChanges => Added.Count + Removed.Count + Changed.Count > 0;

    public static RollbackPreview Of(Release target, Release? current)
    {
        var now = current?.ConfigVars ?? [];
        var then = target.ConfigVars;
        return new RollbackPreview(
            target,
            current,
            then.Keys.Where(k => !now.ContainsKey(k)).Order(StringComparer.Ordinal).ToList(),
            now.Keys.Where(k => !then.ContainsKey(k)).Order(StringComparer.Ordinal).ToList(),
            then.Where(kv => now.TryGetValue(kv.Key, out var value) && value != kv.Value).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList());
    }
}
