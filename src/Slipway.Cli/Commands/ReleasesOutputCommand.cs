using System.CommandLine;
using System.Globalization;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary>
/// <c>aka releases:output vN -a APP [--json]</c>: what the release's release phase printed, under a
/// heading with how it ended; or that the release had no release phase.
/// </summary>
public sealed class ReleasesOutputCommand : AkaCommand
{
    private readonly Argument<string> _release = new("release") { Description = "The release: vN, N or its id" };
    private readonly Option<string> _app = CommonOptions.App();
    private readonly Option<bool> _json = CommonOptions.Json();

    public ReleasesOutputCommand(CliContext context, CliOutput output)
        : base("releases:output", "Show the output of a release's release phase", context, output)
    {
        Arguments.Add(_release);
        Options.Add(_app);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        using var api = Connect();
        var result = await api.GetReleaseOutputAsync(app, parseResult.GetRequiredValue(_release), ct);
        if (parseResult.GetValue(_json))
        {
            Output.Json(result.Json);
            return 0;
        }

        var output = result.Value;
        var version = string.Create(CultureInfo.InvariantCulture, $"v{output.Version}");
        if (!output.ReleasePhase)
        {
            Output.Line($"{version} has no release phase.");
            return 0;
        }

        var ending = output.ExitCode switch
        {
            { } code => string.Create(CultureInfo.InvariantCulture, $"exit code {code}"),
            null when output.Status == "pending" => "running",
            null => "did not finish",
        };
        Output.Heading($"{version} release phase: {ending}");
        foreach (var line in Lines(output.Output))
        {
            Output.Raw(line);
        }

        return 0;
    }

    /// <summary>Release phase output as lines, without the empty ones its final newline leaves.</summary>
    public static IEnumerable<string> Lines(string output) =>
        output.Split('\n').Select(l => l.TrimEnd('\r')).Reverse().SkipWhile(l => l.Length == 0).Reverse();
}
