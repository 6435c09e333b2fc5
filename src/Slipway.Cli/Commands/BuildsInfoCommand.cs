using System.CommandLine;
using System.Globalization;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary><c>aka builds:info ID -a APP [--json]</c>: one build in full (ID is its id or its 8 hex digits).</summary>
public sealed class BuildsInfoCommand : AkaCommand
{
    private readonly Argument<string> _build = new("build") { Description = "The build: its id or the first 8 hex digits" };
    private readonly Option<string> _app = CommonOptions.App();
    private readonly Option<bool> _json = CommonOptions.Json();

    public BuildsInfoCommand(CliContext context, CliOutput output)
        : base("builds:info", "Show one build", context, output)
    {
        Arguments.Add(_build);
        Options.Add(_app);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        using var api = Connect();
        var result = await api.GetBuildAsync(app, parseResult.GetRequiredValue(_build), ct);
        if (parseResult.GetValue(_json))
        {
            Output.Json(result.Json);
            return 0;
        }

        var build = result.Value;
        Output.Heading($"{build.App.Name} Build {BuildsCommand.ShortId(build.Id)}");
        Output.Fields(
            ("Id", build.Id.ToString()),
            ("Status", build.Status),
            ("Source", BuildsCommand.SourceOf(build, api.BaseAddress)),
            ("Commit", build.SourceBlob.Commit),
            ("Author", build.SourceBlob.Author),
            ("Message", ReleasesCommand.FirstLine(build.SourceBlob.Message)),
            ("Buildpack", build.Buildpacks.Count == 0 ? null : string.Join(", ", build.Buildpacks.Select(b => b.Name ?? b.Url))),
            ("Slug", build.Slug is { } slug ? slug.Id + (build.SlugReused ? " (reused)" : "") : null),
            ("Release", build.Release is { } release ? string.Create(CultureInfo.InvariantCulture, $"v{release.Version}") : null),
            ("By", build.User.Email),
            ("When", TimeText.Iso(build.CreatedAt)),
            ("Failure", build.FailureReason));
        return 0;
    }
}
