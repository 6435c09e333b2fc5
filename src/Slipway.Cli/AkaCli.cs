using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Slipway.Cli.Commands;
using Slipway.Cli.Output;

namespace Slipway.Cli;

/// <summary>
/// The <c>aka</c> command tree. <c>Program</c> and the tests build it the same way, from a
/// <see cref="CliContext"/>, and run it with <c>Build(context).Parse(args).InvokeAsync(context)</c>.
/// </summary>
public static class AkaCli
{
    public static RootCommand Build(CliContext context)
    {
        var output = new CliOutput(context);
        var root = new RootCommand("aka, the Slipway command line")
        {
            new LoginCommand(context, output),
            new LogoutCommand(context, output),
            new WhoamiCommand(context, output),
            new UsersCreateCommand(context, output),
            new UsersDestroyCommand(context, output),
            new TokensCommand(context, output),
            new TokensRevokeCommand(context, output),
            new SpacesCommand(context, output),
            new SpacesCreateCommand(context, output),
            new SpacesMembersAddCommand(context, output),
            new SpacesMembersRemoveCommand(context, output),
            new AppsCommand(context, output),
            new AppsCreateCommand(context, output),
            new AppsInfoCommand(context, output),
            new AppsDestroyCommand(context, output),
            new ConfigCommand(context, output),
            new ConfigGetCommand(context, output),
            new ConfigSetCommand(context, output),
            new ConfigUnsetCommand(context, output),
            new ReleasesCommand(context, output),
            new ReleasesInfoCommand(context, output),
            new RollbackCommand(context, output),
            new ReleasesCreateCommand(context, output),
            new ReleasesOutputCommand(context, output),
            new ReleasesStatusesCommand(context, output),
            new BuildsCommand(context, output),
            new BuildsInfoCommand(context, output),
            new BuildsOutputCommand(context, output),
            new PsCommand(context, output),
            new PsScaleCommand(context, output),
            new PsRestartCommand(context, output),
            new LogsCommand(context, output),
            new AddonsServicesCommand(context, output),
            new AddonsPlansCommand(context, output),
            new AddonsCommand(context, output),
            new AddonsCreateCommand(context, output),
            new AddonsInfoCommand(context, output),
            new AddonsDestroyCommand(context, output),
            new AddonsBrokersCommand(context, output),
            new AddonsBrokersAddCommand(context, output),
            new RepoCommand(context, output),
            new RepoSetCommand(context, output),
            new RepoUnsetCommand(context, output),
            new GitRemoteCommand(context, output),
            new PipelinesCommand(context, output),
            new PipelinesCreateCommand(context, output),
            new PipelinesInfoCommand(context, output),
            new PipelinesAddCommand(context, output),
            new PipelinesPromoteCommand(context, output),
            new PipelinesRemoveCommand(context, output),
            new PipelinesDestroyCommand(context, output),
            new HooksCommand(context, output),
            new HooksCreateCommand(context, output),
            new HooksDestroyCommand(context, output),
            new HooksDeliveriesCommand(context, output),
        };

        // Plain "aka" shows what it can do rather than an error.
        root.SetAction(parseResult => new HelpAction().Invoke(parseResult));
        return root;
    }

    /// <summary>
    /// Runs the parsed command with the context's writers. A command line that does not parse
    /// fails like any other error: one <c>! reason</c> line on stderr and exit code 1.
    /// </summary>
    public static async Task<int> InvokeAsync(this ParseResult parseResult, CliContext context, CancellationToken ct = default)
    {
        if (parseResult.Action is ParseErrorAction)
        {
            new CliOutput(context).Error(parseResult.Errors[0].Message);
            return 1;
        }

        return await parseResult.InvokeAsync(new InvocationConfiguration { Output = context.Out, Error = context.Error }, ct);
    }
}
