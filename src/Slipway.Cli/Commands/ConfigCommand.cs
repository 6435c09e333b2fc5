using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary>
/// <c>aka config -a APP [--shell] [--json]</c>: the config vars, sorted by name, as Heroku shows
/// them (<c>KEY: value</c> aligned) or as <c>KEY=value</c> lines for a shell.
/// </summary>
public sealed class ConfigCommand : AkaCommand
{
    private readonly Option<string> _app = CommonOptions.App();
    private readonly Option<bool> _shell = new("--shell", "-s") { Description = "Print KEY=value lines" };
    private readonly Option<bool> _json = CommonOptions.Json();

    public ConfigCommand(CliContext context, CliOutput output)
        : base("config", "Show an app's config vars", context, output)
    {
        Options.Add(_app);
        Options.Add(_shell);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        using var api = Connect();
        var config = await api.GetConfigAsync(app, ct);
        if (parseResult.GetValue(_json))
        {
            Output.Json(config.Json);
            return 0;
        }

        var vars = config.Value.OrderBy(v => v.Key, StringComparer.Ordinal).ToList();
        if (parseResult.GetValue(_shell))
        {
            foreach (var (key, value) in vars)
            {
                Output.Line($"{key}={value}");
            }

            return 0;
        }

        Output.Heading($"{(await api.GetAppAsync(app, ct)).Value.Name} Config Vars");
        Output.Fields(vars.Select(v => (v.Key, (string?)v.Value)));
        return 0;
    }
}
