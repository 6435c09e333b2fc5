namespace Slipway.TestSupport;

/// <summary>
/// Holds releases pending for as long as a test needs: a slug whose process types include
/// <see cref="ReleasePhase"/> has a release phase that waits while the gate is closed, so a release
/// made then stays pending until <see cref="Open"/>, with no timing involved. Open when made.
/// </summary>
public sealed class ReleaseGate : IDisposable
{
    private readonly string _folder = Directory.CreateDirectory(Path.Combine(EnsureRoot(), Guid.NewGuid().ToString("N"))).FullName;

    public ReleaseGate()
    {
        Open();
    }

    /// <summary>
    /// The folder every gate lives in: every test server shows it, read-only, to the sandboxed
    /// release phases (<c>Slipway:Runtime:Isolation:ReadOnlyPaths</c>), which see nothing else of the host's /tmp.
    /// </summary>
    public static string Root { get; } = Path.Combine(Path.GetTempPath(), "slipway-release-gates");

    private string OpenMark => Path.Combine(_folder, "open");

    public static string EnsureRoot() => Directory.CreateDirectory(Root).FullName;

    /// <summary>The process types <paramref name="web"/> and the gated release phase.</summary>
    public Dictionary<string, string> ProcessTypes(string web) => new()
    {
        ["web"] = web,
        ["release"] = ReleasePhase,
    };

    /// <summary>The release phase's command: it waits while the gate is closed (and ends once the gate is gone).</summary>
    public string ReleasePhase => $"until [ -e '{OpenMark}' ] || [ ! -d '{_folder}' ]; do sleep 0.1; done";

    /// <summary>From now on, a release's release phase waits (a release made now stays pending).</summary>
    public void Close() => File.Delete(OpenMark);

    public void Open() => File.WriteAllText(OpenMark, "");

    /// <summary>Removes the gate, which lets every waiting release phase go on.</summary>
    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
