using Slipway.Cli.Api;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary>
/// What <c>config:set</c> and <c>config:unset</c> share: one PATCH, one release (or none when
/// nothing changed, which the API says with <c>Slipway-Release: none</c>), and a line that names
/// the keys but never a value.
/// </summary>
internal static class ConfigPatch
{
    /// <param name="verb"><c>Setting</c> or <c>Unsetting</c>.</param>
    /// <param name="unchanged">How the keys read when nothing changed: <c>already set</c>, <c>not set</c>.</param>
    public static async Task<int> ApplyAsync(
        SlipwayApi api, CliOutput output, string app, OrderedDictionary<string, string?> changes, string verb, string unchanged, CancellationToken ct)
    {
        var key = (await api.GetAppAsync(app, ct)).Value.Name;
        var names = string.Join(", ", changes.Keys);
        var action = $"{verb} {names} and restarting {key}";
        var result = await output.WhileAsync(action, () => api.PatchConfigAsync(key, changes, ct));
        var release = result.Headers.TryGetValues(SlipwayApi.ReleaseHeader, out var values) ? values.FirstOrDefault() : null;
        output.Line(release switch
        {
            "none" => $"No changes to {key}: {names} {unchanged}",
            null => $"{action} ... done",
            _ => $"{action} ... done, {release}",
        });
        return 0;
    }
}
