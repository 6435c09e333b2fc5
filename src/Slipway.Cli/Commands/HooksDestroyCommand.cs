using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary><c>aka hooks:destroy ID -a APP</c>: removes a webhook, with the deliveries it was still owed.</summary>
public sealed class HooksDestroyCommand : AkaCommand
{
    private readonly Argument<string> _id = new("ID") { Description = "The hook's id (aka hooks -a APP lists them)" };
    private readonly Option<string> _app = CommonOptions.App();

    public HooksDestroyCommand(CliContext context, CliOutput output)
        : base("hooks:destroy", "Remove a webhook from the app", context, output)
    {
        Arguments.Add(_id);
        Options.Add(_app);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        var id = parseResult.GetRequiredValue(_id);
        using var api = Connect();
        await Output.WhileAsync($"Destroying hook {id} of {app}", () => api.DestroyHookAsync(app, id, ct));
        Output.Done($"Destroying hook {id} of {app}");
        return 0;
    }
}
