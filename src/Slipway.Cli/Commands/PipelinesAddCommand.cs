using System.CommandLine;
using Slipway.Cli.Output;
using Slipway.Contracts;

namespace Slipway.Cli.Commands;

/// <summary><c>aka pipelines:add APP -p PIPELINE -s STAGE [-c CONTEXT]...</c>: couples the app, requiring those status checks before a promotion to it.</summary>
public sealed class PipelinesAddCommand : AkaCommand
{
    private readonly Argument<string> _app = new("app") { Description = "The app: its key (name-space) or id" };
    private readonly Option<string> _pipeline = new("--pipeline", "-p") { Description = "The pipeline: its name or id", Required = true };
    private readonly Option<string> _stage = new("--stage", "-s") { Description = "review, development, staging or production", Required = true };
    private readonly Option<string[]> _checks = new("--check", "-c") { Description = "A release status context that must be success before a promotion to this app (repeatable)", AllowMultipleArgumentsPerToken = false };

    public PipelinesAddCommand(CliContext context, CliOutput output)
        : base("pipelines:add", "Add an app to a pipeline at a stage", context, output)
    {
        Arguments.Add(_app);
        Options.Add(_pipeline);
        Options.Add(_stage);
        Options.Add(_checks);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var (app, pipeline, stage) = (parseResult.GetRequiredValue(_app), parseResult.GetRequiredValue(_pipeline), parseResult.GetRequiredValue(_stage));
        var request = new CreatePipelineCouplingRequest(app, pipeline, stage, new RequiredStatusChecks(parseResult.GetValue(_checks) ?? []));
        using var api = Connect();
        var coupling = await Output.WhileAsync($"Adding {app} to {pipeline} at {stage}", () => api.CreateCouplingAsync(request, ct));
        Output.Done($"Adding {coupling.Value.App.Name} to {coupling.Value.Pipeline.Name} at {coupling.Value.Stage}");
        return 0;
    }
}
