using Slipway.Cli.Output;
using Slipway.Contracts;

namespace Slipway.Cli.Commands;

/// <summary>
/// What every verb that waits for a release prints when it failed: the last lines its failing process
/// (or its release phase) printed, as the server kept them, before the one error line with the reason.
/// </summary>
internal static class ReleaseFailure
{
    /// <summary>Prints the release's kept lines on stdout, as they are.</summary>
    public static void ShowLines(CliOutput output, ReleaseResponse release)
    {
        foreach (var line in ReleasesOutputCommand.Lines(release.FailureLog ?? ""))
        {
            output.Raw(line);
        }
    }
}
