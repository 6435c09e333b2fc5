using System.CommandLine;
using System.Net;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary>
/// <c>aka addons:destroy NAME -a APP --confirm APP</c>: detaches the add-on (a release without its
/// config vars) and deprovisions it, waiting until it is gone.
/// </summary>
public sealed class AddonsDestroyCommand : AkaCommand
{
    private readonly Argument<string> _addon = new("addon") { Description = "The add-on: its name or id" };
    private readonly Option<string> _app = CommonOptions.App();
    private readonly Option<string> _confirm = new("--confirm") { Description = "The app's key again, to confirm" };

    public AddonsDestroyCommand(CliContext context, CliOutput output)
        : base("addons:destroy", "Detach and destroy an add-on, with its data", context, output)
    {
        Arguments.Add(_addon);
        Options.Add(_app);
        Options.Add(_confirm);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        var name = parseResult.GetRequiredValue(_addon);
        using var api = Connect();
        var key = (await api.GetAppAsync(app, ct)).Value.Name;
        if (parseResult.GetValue(_confirm) != key)
        {
            throw new CliException($"To destroy {name} and its data, re-run with --confirm {key}");
        }

        var action = $"Destroying {name} on {key}";
        var failure = await Output.WhileAsync(action, async () =>
        {
            var destroyed = await api.DestroyAddonAsync(key, name, key, ct);
            if (destroyed.Status != HttpStatusCode.Accepted)
            {
                return null;
            }

            var left = await api.WaitUntilAddonGoneAsync(destroyed.Value, ct);
            return left is null ? null : left.StateMessage ?? $"The broker could not remove {name}; destroy it again to retry.";
        });

        if (failure is not null)
        {
            Output.Failed(action);
            throw new CliException(failure);
        }

        Output.Done(action);
        return 0;
    }
}
