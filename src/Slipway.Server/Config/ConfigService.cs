using Slipway.Server.Accounts;
using Slipway.Server.Addons;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Http;
using Slipway.Server.Releases;

namespace Slipway.Server.Config;

/// <summary>
/// What a config change did: the release it made, or why it made none (nothing really changed),
/// and the app's whole config afterwards (user vars plus add-on vars).
/// </summary>
public sealed record ConfigChanged(Release? Release, string? Unchanged, Dictionary<string, string> Config);

/// <summary>
/// An app's config vars: the current release's user vars plus the vars of the add-ons attached
/// now (as Heroku shows them). A change of user vars is one release, made through
/// <see cref="ReleaseService"/>; a change that changes nothing makes none.
/// </summary>
public sealed class ConfigService(SlipwayDb db, ReleaseService releases)
{
    /// <summary>The whole config: user vars and add-on vars.</summary>
    public async Task<Dictionary<string, string>> GetAsync(App app, CancellationToken ct) =>
        ReleaseEnvironment.Combine(await UserVarsAsync(app, ct), await AddonQueries.AttachedAsync(db, app.Id, ct));

    /// <summary>The user's own vars, as the current release has them.</summary>
    public async Task<IReadOnlyDictionary<string, string>> UserVarsAsync(App app, CancellationToken ct) =>
        (await ReleaseQueries.CurrentAsync(db, app.Id, ct))?.ConfigVars ?? [];

    /// <summary>Applies a PATCH body (a null value removes the var).</summary>
    public async Task<Answer<ConfigChanged>> ChangeAsync(App app, Caller caller, IReadOnlyDictionary<string, string?> body, CancellationToken ct)
    {
        var change = ConfigChange.Parse(body);
        return change.Refused ? change.Refusal : await ChangeAsync(app, caller, change.Value, ct);
    }

    /// <summary>
    /// Makes the change's release on the current release's config; no release when nothing
    /// really changes, and a refusal (409) when it would set or remove a var an attached add-on provides.
    /// </summary>
    public async Task<Answer<ConfigChanged>> ChangeAsync(App app, Caller caller, ConfigChange change, CancellationToken ct)
    {
        Dictionary<string, string> result = [];
        var outcome = await releases.AppendAsync(
            app,
            caller,
            async (state, token) =>
            {
                var addons = await AddonQueries.AttachedAsync(db, app.Id, token);
                if (AddonConfig.UserChangeClash(change.Sets.Select(s => s.Key).Concat(change.Removes), addons) is { } clash)
                {
                    return new ReleasePlan.Refuse(Refusal.Conflict(clash));
                }

                var (config, description) = change.ApplyTo(state.Current?.ConfigVars ?? []);
                if (description is not null && ConfigChange.SizeProblem(config) is { } tooLarge)
                {
                    return new ReleasePlan.Refuse(Refusal.Invalid(tooLarge));
                }

                result = ReleaseEnvironment.Combine(config, addons);
                return description is null
                    ? new ReleasePlan.Unchanged("No config vars changed; no release was created.")
                    : new ReleasePlan.Create(new ReleaseDraft(state.Current?.SlugId, config, description, ReleaseTrigger.Config).OnAddons(addons));
            },
            ReleaseConditions.None,
            ct);
        if (outcome.Refusal is { } refusal)
        {
            return refusal;
        }

        return new ConfigChanged(outcome.Release, outcome.Unchanged, result);
    }
}
