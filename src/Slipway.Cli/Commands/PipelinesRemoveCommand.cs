using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary><c>aka pipelines:remove -a APP</c>: takes the app out of its pipeline (the app and its releases stay).</summary>
public sealed class PipelinesRemoveCommand : AkaCommand
{
    private readonly Option<string> _app = CommonOptions.App();

    public PipelinesRemoveCommand(CliContext context, CliOutput output)
        : base("pipelines:remove", "Remove an app from its pipeline", context, output)
    {
        Options.Add(_app);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        using var api = Connect();
        var coupling = (await api.GetCouplingOfAppAsync(app, ct)).Value;
        var action = $"Removing {coupling.App.Name} from {coupling.Pipeline.Name}";
        await Output.WhileAsync(action, () => api.DeleteCouplingAsync(coupling.Id, ct));
        Output.Done(action);
        return 0;
    }
}
