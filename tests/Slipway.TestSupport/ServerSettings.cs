namespace Slipway.TestSupport;

/// <summary>Settings that several fixtures, tests and benchmarks give their servers.</summary>
public static class ServerSettings
{
    /// <summary>Runtime timeouts short enough that a process that fails to boot or to stop shows in seconds.</summary>
    public static IReadOnlyDictionary<string, string?> QuickRuntime { get; } = new Dictionary<string, string?>
    {
        ["Slipway:Runtime:StopGraceSeconds"] = "3",
        ["Slipway:Runtime:BootTimeoutSeconds"] = "10",
        ["Slipway:Runtime:ReleasePhaseTimeoutSeconds"] = "10",
        ["Slipway:Runtime:RestartBackoffSeconds"] = "0.1",
        ["Slipway:Runtime:MaxRestartBackoffSeconds"] = "0.5",
    };

    /// <summary><paramref name="settings"/> with <paramref name="more"/> added (or replacing those of the same key).</summary>
    public static Dictionary<string, string?> With(this IReadOnlyDictionary<string, string?> settings, IEnumerable<KeyValuePair<string, string?>> more)
    {
        var combined = new Dictionary<string, string?>(settings);
        foreach (var (key, value) in more)
        {
            combined[key] = value;
        }

        return combined;
    }
}
