using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary><c>aka pipelines:destroy NAME</c>: the pipeline, its couplings and its promotion records go; the apps stay.</summary>
public sealed class PipelinesDestroyCommand : AkaCommand
{
    private readonly Argument<string> _name = new("name") { Description = "The pipeline: its name or id" };

    public PipelinesDestroyCommand(CliContext context, CliOutput output)
        : base("pipelines:destroy", "Delete a pipeline (its apps stay)", context, output)
    {
        Arguments.Add(_name);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var name = parseResult.GetRequiredValue(_name);
        using var api = Connect();
        var pipeline = await Output.WhileAsync($"Destroying pipeline {name}", () => api.DestroyPipelineAsync(name, ct));
        Output.Done($"Destroying pipeline {pipeline.Value.Name}");
        return 0;
    }
}
