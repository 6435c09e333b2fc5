using Slipway.Server.Tests.Runtime;

namespace Slipway.Server.Tests.Releases;

/// <summary>
/// Holds releases pending for as long as a test needs: slugs made with <see cref="ProcessTypes"/>
/// have a release phase that waits while the gate is closed, so a release made then stays pending
/// until <see cref="Open"/>, with no timing involved. Open when made.
/// </summary>
public sealed class ReleaseGate : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("slipway-gate-").FullName;

    public ReleaseGate()
    {
        Open();
    }

    private string OpenMark => Path.Combine(_folder, "open");

    /// <summary>A web process that answers <c>vN slug=MARK greeting=…</c> (<see cref="TestSlug"/>), and the gated release phase.</summary>
    public Dictionary<string, string> ProcessTypes => new()
    {
        ["web"] = TestSlug.Command(),
        ["release"] = $"until [ -e '{OpenMark}' ] || [ ! -d '{_folder}' ]; do sleep 0.1; done",
    };

    /// <summary>From now on, a release's release phase waits (a release made now stays pending).</summary>
    public void Close() => File.Delete(OpenMark);

    public void Open() => File.WriteAllText(OpenMark, "");

    /// <summary>Removes the gate, which lets every waiting release phase go on.</summary>
    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

/// <summary>The runtime's quick server (<see cref="RuntimeServerFixture"/>) with room for a release phase held by a <see cref="ReleaseGate"/>.</summary>
public sealed class GatedRuntimeServerFixture : RuntimeServerFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings =>
        base.Settings.With([new("Slipway:Runtime:ReleasePhaseTimeoutSeconds", "180")]);
}
