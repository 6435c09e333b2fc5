using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary><c>aka repo -a APP [--json]</c>: what the app watches, the last commit seen and the last build.</summary>
public sealed class RepoCommand : AkaCommand
{
    private readonly Option<string> _app = CommonOptions.App();
    private readonly Option<bool> _json = CommonOptions.Json();

    public RepoCommand(CliContext context, CliOutput output)
        : base("repo", "Show the repository and branch an app watches", context, output)
    {
        Options.Add(_app);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        using var api = Connect();
        var result = await api.GetAutoDeployAsync(app, ct);
        if (parseResult.GetValue(_json))
        {
            Output.Json(result.Json);
            return 0;
        }

        var watch = result.Value;
        var now = Context.Clock.GetUtcNow();
        var build = watch.LastBuild switch
        {
            null => "(none yet)",
            { Status: "failed" } b => $"{Short(b.Id)} of {Sha(b.Commit)} failed: {b.FailureReason} (aka builds:output {Short(b.Id)} -a {watch.App.Name})",
            { Release: { } release } b => $"{Short(b.Id)} of {Sha(b.Commit)} {b.Status}, released as v{release.Version}",
            { Notes: { } notes } b => $"{Short(b.Id)} of {Sha(b.Commit)} {b.Status}; {notes}",
            var b => $"{Short(b.Id)} of {Sha(b.Commit)} {b.Status}",
        };
        Output.Heading($"{watch.App.Name} auto-deploy");
        Output.Fields(
            ("Repo", watch.Repo),
            ("Branch", watch.Branch),
            ("Watched by", watch.Kind == "github" ? $"GitHub webhook: {watch.WebhookUrl}" : "polling (git ls-remote)"),
            ("Deploy", watch.AutoDeploy ? "every succeeded build" : "no (builds only)"),
            ("Username", watch.Username),
            ("Token", watch.TokenSet ? "set (hidden)" : null),
            ("Last commit", watch.LastCommit is { } sha ? $"{Sha(sha)}{(watch.LastCommitAt is { } at ? $" ({TimeText.Relative(at, now)})" : "")}" : "(none seen yet)"),
            ("Last build", build));
        return 0;
    }

    private static string Short(Guid id) => id.ToString("N")[..8];

    private static string Sha(string? sha) => sha is null ? "?" : sha[..Math.Min(7, sha.Length)];
}
