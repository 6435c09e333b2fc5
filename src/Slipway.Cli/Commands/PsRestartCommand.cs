using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary><c>aka ps:restart [TYPE] -a APP</c>: restarts every process of the app, or those of one type (or one process, <c>web.1</c>).</summary>
public sealed class PsRestartCommand : AkaCommand
{
    private readonly Argument<string?> _type = new("type") { Arity = ArgumentArity.ZeroOrOne, Description = "A process type (web) or process (web.1); default: all" };
    private readonly Option<string> _app = CommonOptions.App();

    public PsRestartCommand(CliContext context, CliOutput output)
        : base("ps:restart", "Restart an app's processes", context, output)
    {
        Arguments.Add(_type);
        Options.Add(_app);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        var type = parseResult.GetValue(_type);
        using var api = Connect();
        var key = (await api.GetAppAsync(app, ct)).Value.Name;
        await api.RestartDynosAsync(key, type, ct);
        Output.Line(type is null ? $"Restarting dynos on {key}... done" : $"Restarting {type} dynos on {key}... done");
        return 0;
    }
}
