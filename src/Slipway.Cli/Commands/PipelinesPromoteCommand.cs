using System.CommandLine;
using System.Globalization;
using Slipway.Cli.Output;
using Slipway.Contracts;

namespace Slipway.Cli.Commands;

/// <summary>
/// <c>aka pipelines:promote -a APP [-t TARGET]... [--release vN] [--safe]</c>: releases the app's
/// current release (or vN) on every app of the next stage (or the targets named), each on its own
/// config, then waits until every target's release has settled and prints how each went.
/// </summary>
public sealed class PipelinesPromoteCommand : AkaCommand
{
    private readonly Option<string> _app = CommonOptions.App();
    private readonly Option<string[]> _targets = new("--to", "-t") { Description = "A target app (repeatable; default: every app of the next stage)" };
    private readonly Option<string> _release = new("--release", "-r") { Description = "The release to promote: vN, N or its id (default: the current one)" };
    private readonly Option<bool> _safe = new("--safe") { Description = "Refuse when the source's and a target's config var names differ" };

    public PipelinesPromoteCommand(CliContext context, CliOutput output)
        : base("pipelines:promote", "Promote an app's release to the next stage", context, output)
    {
        Options.Add(_app);
        Options.Add(_targets);
        Options.Add(_release);
        Options.Add(_safe);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        var release = parseResult.GetValue(_release);
        var request = new CreatePipelinePromotionRequest(
            null,
            new PromotionSourceRef(new PromotionAppRef(app), release is null ? null : new PromotionRef(release)),
            [.. (parseResult.GetValue(_targets) ?? []).Select(t => new PromotionTargetRef(new PromotionAppRef(t)))],
            parseResult.GetValue(_safe));
        using var api = Connect();
        var promotion = await Output.WhileAsync($"Promoting {app}", async () => await api.WaitUntilPromotedAsync((await api.PromoteAsync(request, ct)).Value, ct));
        var action = string.Create(
            CultureInfo.InvariantCulture,
            $"Promoting {promotion.Source.App.Name} v{promotion.Source.Release.Version} to {string.Join(", ", promotion.Targets.Select(t => t.App.Name))}");
        if (promotion.Status == "succeeded")
        {
            Output.Done(action);
        }
        else
        {
            Output.Failed(action);
        }

        foreach (var target in promotion.Targets)
        {
            Output.Line(string.Create(CultureInfo.InvariantCulture, $"{target.App.Name}: v{target.Release.Version} {target.Status}"));
        }

        return promotion.Status == "succeeded" ? 0 : 1;
    }
}
