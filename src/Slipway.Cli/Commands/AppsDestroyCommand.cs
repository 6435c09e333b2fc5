using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary>
/// <c>aka apps:destroy -a APP --confirm KEY</c>: destroys the app and its releases. The key must
/// be typed again; without it nothing is sent (the API refuses a DELETE without it as well).
/// </summary>
public sealed class AppsDestroyCommand : AkaCommand
{
    private readonly Option<string> _app = CommonOptions.App();
    private readonly Option<string> _confirm = new("--confirm") { Description = "The app's key again, to confirm" };

    public AppsDestroyCommand(CliContext context, CliOutput output)
        : base("apps:destroy", "Destroy an app with all its releases", context, output)
    {
        Options.Add(_app);
        Options.Add(_confirm);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        using var api = Connect();

        // Look the app up first: -a may be an id, and the confirmation must repeat the key.
        var key = (await api.GetAppAsync(app, ct)).Value.Name;
        if (parseResult.GetValue(_confirm) != key)
        {
            throw new CliException($"To destroy {key}, re-run with --confirm {key}");
        }

        await Output.WhileAsync($"Destroying {key}", () => api.DestroyAppAsync(key, key, ct));
        Output.Done($"Destroying {key}");
        return 0;
    }
}
