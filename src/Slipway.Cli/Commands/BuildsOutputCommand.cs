using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary><c>aka builds:output ID -a APP</c>: a build's output; a build still running is followed until it ends.</summary>
public sealed class BuildsOutputCommand : AkaCommand
{
    private readonly Argument<string> _build = new("build") { Description = "The build: its id or the first 8 hex digits" };
    private readonly Option<string> _app = CommonOptions.App();

    public BuildsOutputCommand(CliContext context, CliOutput output)
        : base("builds:output", "Show a build's output", context, output)
    {
        Arguments.Add(_build);
        Options.Add(_app);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        using var api = Connect();
        var build = (await api.GetBuildAsync(app, parseResult.GetRequiredValue(_build), ct)).Value;
        if (build.Status == "pending")
        {
            await foreach (var line in api.StreamBuildOutputAsync(build, ct))
            {
                Output.Raw(line);
            }

            return 0;
        }

        foreach (var line in (await api.GetBuildResultAsync(build.App.Name, build.Id.ToString(), ct)).Value.Lines)
        {
            Output.Raw(line.Line);
        }

        return 0;
    }
}
