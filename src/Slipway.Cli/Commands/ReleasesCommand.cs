using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Slipway.Cli.Output;
using Slipway.Contracts;

namespace Slipway.Cli.Commands;

/// <summary>
/// <c>aka releases -a APP [-n N] [--json]</c>: the newest N releases, oldest first, one line
/// each (<c>• v3\t2 minutes ago\tDeploy 1a2b3c4d - message - 0123abc</c>). On a terminal the
/// current release is green and failed ones red; nothing else differs from piped output.
/// </summary>
public sealed class ReleasesCommand : AkaCommand
{
    private readonly Option<string> _app = CommonOptions.App();
    private readonly Option<int> _num = new("--num", "-n") { Description = "How many of the newest releases to show", DefaultValueFactory = _ => 10 };
    private readonly Option<bool> _json = CommonOptions.Json();

    public ReleasesCommand(CliContext context, CliOutput output)
        : base("releases", "List an app's releases", context, output)
    {
        Options.Add(_app);
        Options.Add(_num);
        Options.Add(_json);
    }

    /// <summary>One release as <c>aka releases</c> prints it, its age measured against <paramref name="now"/>.</summary>
    public static string Line(ReleaseResponse release, DateTimeOffset now)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"• v{release.Version}\t{TimeText.Relative(release.CreatedAt, now)}\t{release.Description}");
        if (release.Source is { } source)
        {
            string?[] parts = [source.Author, FirstLine(source.Message), source.Commit is { } sha ? sha[..Math.Min(7, sha.Length)] : null];
            line += string.Concat(parts.Where(p => !string.IsNullOrEmpty(p)).Select(p => $" - {p}"));
        }

        return line;
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        var count = parseResult.GetValue(_num);
        if (count < 1)
        {
            throw new CliException("--num must be at least 1.");
        }

        using var api = Connect();
        var page = await api.ListNewestReleasesAsync(app, count, ct);
        if (parseResult.GetValue(_json))
        {
            // The page came newest first; print it in the API's usual (ascending) order.
            Output.Json(new JsonArray([.. JsonNode.Parse(page.Json)!.AsArray().Reverse().Select(n => n!.DeepClone())]));
            return 0;
        }

        if (page.Value.Count == 0)
        {
            Output.Line($"{app} has no releases yet");
            return 0;
        }

        var now = Context.Clock.GetUtcNow();
        foreach (var release in page.Value.OrderBy(r => r.Version))
        {
            var tone = release.Current ? Tone.Success : release.Status == "failed" ? Tone.Failure : Tone.Plain;
            Output.Line(Line(release, now), tone);
        }

        if (page.Value.FirstOrDefault(r => r.Current) is { RollbackOf: { } target } current)
        {
            var watch = await api.FindAutoDeployAsync(app, ct);
            Output.Line(RollbackNote(current.Version, target, watch?.Branch));
        }

        return 0;
    }

    /// <summary>The line that ends the list while the current release is a rollback: it is a temporary fix, and this is the way out.</summary>
    public static string RollbackNote(int current, int target, string? watchedBranch) =>
        string.Create(CultureInfo.InvariantCulture, $"Current release v{current} is a rollback to v{target}; ")
        + (watchedBranch is null ? "the next aka releases:create deploys normally again." : $"the next push to {watchedBranch} (or aka releases:create) deploys normally again.");

    /// <summary>The first line of a commit message.</summary>
    public static string? FirstLine(string? text) => text?.Split('\n')[0].TrimEnd('\r');
}
