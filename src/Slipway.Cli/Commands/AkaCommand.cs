using System.CommandLine;
using Slipway.Cli.Api;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary>
/// What every verb shares: its context and output, and the rule that a <see cref="CliException"/>
/// ends the command as one <c>! message</c> line on stderr with exit code 1.
/// </summary>
public abstract class AkaCommand : Command
{
    protected AkaCommand(string name, string description, CliContext context, CliOutput output)
        : base(name, description)
    {
        Context = context;
        Output = output;
        SetAction(InvokeAsync);
    }

    protected CliContext Context { get; }

    protected CliOutput Output { get; }

    /// <summary>Runs the verb on a parse without errors; answers the exit code.</summary>
    protected abstract Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct);

    /// <summary>An API client with the user's token (see <see cref="SlipwayApi.Connect"/>).</summary>
    protected SlipwayApi Connect() => SlipwayApi.Connect(Context);

    private async Task<int> InvokeAsync(ParseResult parseResult, CancellationToken ct)
    {
        try
        {
            return await ExecuteAsync(parseResult, ct);
        }
        catch (CliException e)
        {
            Output.Error(e.Message);
            return 1;
        }
    }
}
