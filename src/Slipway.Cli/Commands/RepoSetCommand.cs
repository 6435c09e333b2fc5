using System.CommandLine;
using Slipway.Cli.Output;
using Slipway.Contracts;

namespace Slipway.Cli.Commands;

/// <summary>
/// <c>aka repo:set URL -a APP [--branch main] [--username U] [--token T]</c>: watches a branch.
/// Prints the branch, and for GitHub the webhook URL and secret to add to the repository (the
/// secret is shown only now).
/// </summary>
public sealed class RepoSetCommand : AkaCommand
{
    private readonly Argument<string> _repo = new("URL") { Description = "The repository: https://github.com/owner/name, any git URL, or a path" };
    private readonly Option<string> _app = CommonOptions.App();
    private readonly Option<string> _branch = new("--branch", "-b") { Description = "The branch to watch", DefaultValueFactory = _ => "main" };
    private readonly Option<string?> _username = new("--username", "-u") { Description = "The user the token belongs to" };
    private readonly Option<string?> _token = new("--token", "-t") { Description = "A token that can read the repository (stored encrypted, never shown again)" };
    private readonly Option<bool> _json = CommonOptions.Json();

    public RepoSetCommand(CliContext context, CliOutput output)
        : base("repo:set", "Watch a branch of a repository: every push builds and deploys", context, output)
    {
        Arguments.Add(_repo);
        Options.Add(_app);
        Options.Add(_branch);
        Options.Add(_username);
        Options.Add(_token);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        var repo = parseResult.GetRequiredValue(_repo);
        var branch = parseResult.GetValue(_branch);
        using var api = Connect();
        var request = new SetAutoDeployRequest(repo, branch, parseResult.GetValue(_username), parseResult.GetValue(_token), AutoDeploy: true);
        var set = await Output.WhileAsync($"Watching {branch} of {repo} for {app}", () => api.SetAutoDeployAsync(app, request, ct));
        if (parseResult.GetValue(_json))
        {
            Output.Json(set.Json);
            return 0;
        }

        var watch = set.Value;
        Output.Done($"Watching {watch.Branch} of {watch.Repo} for {watch.App.Name}");
        if (watch.Kind == "github")
        {
            Output.Line($"Every push to {watch.Branch} builds and deploys {watch.App.Name}. Add this webhook to the GitHub repository");
            Output.Line("(Settings > Webhooks > Add webhook, content type application/json, just the push event):");
            Output.Fields(("Payload URL", watch.WebhookUrl), ("Secret", watch.WebhookSecret));
        }
        else
        {
            Output.Line($"Every push to {watch.Branch} builds and deploys {watch.App.Name} (the repository is polled with git ls-remote).");
            Output.Fields(("Head now", watch.LastCommit is { } sha ? Short(sha) : "(no such branch yet)"));
        }

        return 0;
    }

    private static string Short(string sha) => sha[..Math.Min(7, sha.Length)];
}
