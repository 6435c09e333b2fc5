using Slipway.Server.Tests.Runtime;

namespace Slipway.Server.Tests.Releases;

/// <summary>The runtime's quick server (<see cref="RuntimeServerFixture"/>) with room for a release phase held by a <see cref="ReleaseGate"/>.</summary>
public sealed class GatedRuntimeServerFixture : RuntimeServerFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings =>
        base.Settings.With([new("Slipway:Runtime:ReleasePhaseTimeoutSeconds", "180")]);
}
