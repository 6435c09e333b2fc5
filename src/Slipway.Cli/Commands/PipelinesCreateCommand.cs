using System.CommandLine;
using Slipway.Cli.Output;
using Slipway.Contracts;

namespace Slipway.Cli.Commands;

/// <summary><c>aka pipelines:create NAME</c>.</summary>
public sealed class PipelinesCreateCommand : AkaCommand
{
    private readonly Argument<string> _name = new("name") { Description = "The pipeline's name (a-z, 0-9 and '-')" };

    public PipelinesCreateCommand(CliContext context, CliOutput output)
        : base("pipelines:create", "Create a pipeline", context, output)
    {
        Arguments.Add(_name);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var name = parseResult.GetRequiredValue(_name);
        using var api = Connect();
        var pipeline = await Output.WhileAsync($"Creating pipeline {name}", () => api.CreatePipelineAsync(new CreatePipelineRequest(name), ct));
        Output.Done($"Creating pipeline {pipeline.Value.Name}");
        return 0;
    }
}
