using System.CommandLine;
using Slipway.Cli.Output;
using Slipway.Contracts;

namespace Slipway.Cli.Commands;

/// <summary>
/// <c>aka builds -a APP [--json]</c>: the app's builds, oldest first, one row each: short id,
/// status, age and source (the archive URL, or <c>upload</c> for a source sent by <c>releases:create</c>).
/// </summary>
public sealed class BuildsCommand : AkaCommand
{
    private readonly Option<string> _app = CommonOptions.App();
    private readonly Option<bool> _json = CommonOptions.Json();

    public BuildsCommand(CliContext context, CliOutput output)
        : base("builds", "List an app's builds", context, output)
    {
        Options.Add(_app);
        Options.Add(_json);
    }

    /// <summary>The 8 hex digits by which release descriptions and these commands name a build.</summary>
    public static string ShortId(Guid id) => id.ToString("N")[..8];

    /// <summary>What a build was built from, in one word or URL; an upload's URL means nothing to a reader.</summary>
    public static string SourceOf(BuildResponse build, Uri api)
    {
        var url = build.SourceBlob.Url;
        var text = url.StartsWith(new Uri(api, "sources/").AbsoluteUri, StringComparison.Ordinal) ? "upload" : url;
        return build.SourceBlob.Commit is { } sha ? $"{text} ({sha[..Math.Min(7, sha.Length)]})" : text;
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        using var api = Connect();
        var builds = await api.ListBuildsAsync(app, ct);
        if (parseResult.GetValue(_json))
        {
            Output.Json(builds.Json);
            return 0;
        }

        if (builds.Value.Count == 0)
        {
            Output.Line($"{app} has no builds yet");
            return 0;
        }

        var now = Context.Clock.GetUtcNow();
        Output.Rows(builds.Value.Select(b => (IReadOnlyList<string>)[ShortId(b.Id), b.Status, TimeText.Relative(b.CreatedAt, now), SourceOf(b, api.BaseAddress)]));
        return 0;
    }
}
