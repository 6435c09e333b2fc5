using System.CommandLine;
using System.Globalization;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary><c>aka apps:info -a APP [--json]</c>: the app's id, space, current release, URLs (web and git) and age.</summary>
public sealed class AppsInfoCommand : AkaCommand
{
    private readonly Option<string> _app = CommonOptions.App();
    private readonly Option<bool> _json = CommonOptions.Json();

    public AppsInfoCommand(CliContext context, CliOutput output)
        : base("apps:info", "Show an app", context, output)
    {
        Options.Add(_app);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        using var api = Connect();
        var result = await api.GetAppAsync(parseResult.GetRequiredValue(_app), ct);
        if (parseResult.GetValue(_json))
        {
            Output.Json(result.Json);
            return 0;
        }

        var app = result.Value;
        Output.Heading(app.Name);
        Output.Fields(
            ("Id", app.Id.ToString()),
            ("Space", app.Space.Name),
            ("Release", app.CurrentVersion is { } version ? string.Create(CultureInfo.InvariantCulture, $"v{version}") : "none"),
            ("Web URL", app.WebUrl),
            ("Git URL", app.GitUrl),
            ("Created", TimeText.Iso(app.CreatedAt)));
        return 0;
    }
}
