using System.CommandLine;
using System.Globalization;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary>
/// <c>aka releases:statuses [vN] -a APP [--json]</c>: the statuses outside checks posted on a
/// release (by default the current one) and their combined state, which promotions are gated on.
/// </summary>
public sealed class ReleasesStatusesCommand : AkaCommand
{
    private readonly Argument<string?> _release = new("release") { Arity = ArgumentArity.ZeroOrOne, Description = "The release: vN, N or its id (default: the current one)" };
    private readonly Option<string> _app = CommonOptions.App();
    private readonly Option<bool> _json = CommonOptions.Json();

    public ReleasesStatusesCommand(CliContext context, CliOutput output)
        : base("releases:statuses", "List the statuses posted on a release", context, output)
    {
        Arguments.Add(_release);
        Options.Add(_app);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        using var api = Connect();
        var release = (await ReleasesInfoCommand.FindAsync(api, app, parseResult.GetValue(_release), ct)).Value;
        var statuses = await api.ListReleaseStatusesAsync(app, release.Id.ToString(), ct);
        if (parseResult.GetValue(_json))
        {
            Output.Json(statuses.Json);
            return 0;
        }

        Output.Heading(string.Create(CultureInfo.InvariantCulture, $"{release.App.Name} v{release.Version} Statuses: {statuses.Value.State}"));
        Output.Rows(statuses.Value.Statuses.Select(s => (IReadOnlyList<string>)[s.Context, s.State, s.Name ?? "", s.Description ?? "", s.TargetUrl ?? ""]));
        return 0;
    }
}
