using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary><c>aka pipelines [--json]</c>: the pipelines, one name a line.</summary>
public sealed class PipelinesCommand : AkaCommand
{
    private readonly Option<bool> _json = CommonOptions.Json();

    public PipelinesCommand(CliContext context, CliOutput output)
        : base("pipelines", "List the pipelines", context, output)
    {
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        using var api = Connect();
        var pipelines = await api.ListPipelinesAsync(ct);
        if (parseResult.GetValue(_json))
        {
            Output.Json(pipelines.Json);
            return 0;
        }

        foreach (var pipeline in pipelines.Value)
        {
            Output.Line(pipeline.Name);
        }

        return 0;
    }
}
