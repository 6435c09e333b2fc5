using System.CommandLine;
using System.Globalization;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary>
/// <c>aka pipelines:info PIPELINE [--json]</c>: each app you may see, by stage, with its current
/// release, whether it was deployed, the combined state of its statuses and the checks it requires.
/// </summary>
public sealed class PipelinesInfoCommand : AkaCommand
{
    private readonly Argument<string> _pipeline = new("pipeline") { Description = "The pipeline: its name or id" };
    private readonly Option<bool> _json = CommonOptions.Json();

    public PipelinesInfoCommand(CliContext context, CliOutput output)
        : base("pipelines:info", "Show a pipeline's apps by stage", context, output)
    {
        Arguments.Add(_pipeline);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        using var api = Connect();
        var pipeline = (await api.GetPipelineAsync(parseResult.GetRequiredValue(_pipeline), ct)).Value;
        var couplings = await api.ListCouplingsAsync(pipeline.Id.ToString(), ct);
        if (parseResult.GetValue(_json))
        {
            Output.Json(couplings.Json);
            return 0;
        }

        Output.Heading($"{pipeline.Name} Pipeline");
        Output.Rows(couplings.Value.Select(c => (IReadOnlyList<string>)
        [
            c.Stage,
            c.App.Name,
            c.Release is { } release ? string.Create(CultureInfo.InvariantCulture, $"v{release.Version}") : "",
            c.Release is { } current ? $"{current.Status}, checks {current.State}" : "no release",
            c.RequiredStatusChecks.Contexts is { Count: > 0 } contexts ? $"requires {string.Join(", ", contexts)}" : "",
        ]));
        return 0;
    }
}
