using System.CommandLine;
using Slipway.Cli.Output;
using Slipway.Contracts;

namespace Slipway.Cli.Commands;

/// <summary><c>aka apps:create NAME -s SPACE</c>: the app's key is <c>NAME-SPACE</c>; prints its web URL and git remote, as Heroku does.</summary>
public sealed class AppsCreateCommand : AkaCommand
{
    private readonly Argument<string> _name = new("name") { Description = "The app's name (a-z and 0-9, no dashes)" };
    private readonly Option<string> _space = CommonOptions.Space(required: true);

    public AppsCreateCommand(CliContext context, CliOutput output)
        : base("apps:create", "Create an app in a space", context, output)
    {
        Arguments.Add(_name);
        Options.Add(_space);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var name = parseResult.GetRequiredValue(_name);
        var space = parseResult.GetRequiredValue(_space);
        using var api = Connect();
        var app = await Output.WhileAsync($"Creating app {name}-{space}", () => api.CreateAppAsync(new CreateAppRequest(name, space), ct));
        Output.Done($"Creating app {app.Value.Name}");
        Output.Line(app.Value.WebUrl is { } web ? $"{web} | {app.Value.GitUrl}" : app.Value.GitUrl);
        return 0;
    }
}
