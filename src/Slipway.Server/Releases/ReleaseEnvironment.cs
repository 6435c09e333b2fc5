using Slipway.Server.Addons;

namespace Slipway.Server.Releases;

/// <summary>
/// The one place a release's config is put together: the user's config vars plus those of
/// every add-on attached in that release. The runtime gives this to the app's processes; the
/// config-vars API shows it.
/// </summary>
public static class ReleaseEnvironment
{
    /// <summary>The full config of <paramref name="release"/>, from the release alone.</summary>
    public static Dictionary<string, string> Of(Release release) => Combine(release.ConfigVars, release.Addons);

    /// <summary>
    /// User vars, then each add-on's. The two never overlap (config changes and attaches that
    /// would make them are refused); should they, the add-on's value wins, since its
    /// credentials are the live ones.
    /// </summary>
    public static Dictionary<string, string> Combine(IReadOnlyDictionary<string, string> userConfig, IEnumerable<AddonAttachment> addons)
    {
        var environment = new Dictionary<string, string>(userConfig, StringComparer.Ordinal);
        foreach (var addon in addons)
        {
            foreach (var (key, value) in addon.ConfigVars)
            {
                environment[key] = value;
            }
        }

        return environment;
    }
}
