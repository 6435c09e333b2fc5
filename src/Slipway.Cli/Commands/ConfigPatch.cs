using Slipway.Cli.Api;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary>
/// What <c>config:set</c> and <c>config:unset</c> share: one PATCH, one release (or none when
/// nothing changed, which the API says with <c>Slipway-Release: none</c>), waited for until it is
/// live or failed, and a line that names the keys but never a value; a failed release adds the
/// failing process's last lines and the reason, and exit code 1.
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
        var (result, settled) = await output.WhileAsync(action, async () =>
        {
            var patched = await api.PatchConfigAsync(key, changes, ct);
            var made = patched.Headers.TryGetValues(SlipwayApi.ReleaseHeader, out var values) ? values.FirstOrDefault() : null;
            return (patched, made is null or "none" ? null : await api.WaitUntilSettledAsync(key, (await api.GetReleaseAsync(key, made, ct)).Value, ct));
        });
        var release = result.Headers.TryGetValues(SlipwayApi.ReleaseHeader, out var values) ? values.FirstOrDefault() : null;
        if (settled is { Status: "failed" })
        {
            output.Line($"{action} ... failed, {release}");
            ReleaseFailure.ShowLines(output, settled);
            output.Error($"Release {release} failed: {settled.FailureReason ?? "no reason given"} {key} keeps running its current release.");
            return 1;
        }

        output.Line(release switch
        {
            "none" => $"No changes to {key}: {names} {unchanged}",
            null => $"{action} ... done",
            _ => $"{action} ... done, {release}",
        });
        return 0;
    }
}
