using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary><c>aka repo:unset -a APP</c>: stops watching; pushes no longer build.</summary>
public sealed class RepoUnsetCommand : AkaCommand
{
    private readonly Option<string> _app = CommonOptions.App();

    public RepoUnsetCommand(CliContext context, CliOutput output)
        : base("repo:unset", "Stop watching the app's repository", context, output)
    {
        Options.Add(_app);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        using var api = Connect();
        var removed = (await api.UnsetAutoDeployAsync(app, ct)).Value;
        Output.Done($"No longer watching {removed.Branch} of {removed.Repo} for {removed.App.Name}");
        return 0;
    }
}
