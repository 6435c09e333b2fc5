using System.Diagnostics;

namespace Slipway.Server.Builds;

/// <summary>
/// The steps of a build as activities of the <see cref="SourceName"/> source (fetch, database, unpack, detect,
/// reuse-key, reuse, compile, bin/release, pack, store, release, finish), so that a listener (the build bench, a tracer)
/// can split a build's time. With nothing listening, starting one costs a null check.
/// </summary>
public static class BuildSteps
{
    public const string SourceName = "Slipway.Builds";

    private static readonly ActivitySource Source = new(SourceName);

    public static Activity? Start(string step) => Source.StartActivity(step);
}
