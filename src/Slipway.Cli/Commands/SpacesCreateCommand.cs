using System.CommandLine;
using Slipway.Cli.Output;
using Slipway.Contracts;

namespace Slipway.Cli.Commands;

/// <summary><c>aka spaces:create NAME [--description D]</c>.</summary>
public sealed class SpacesCreateCommand : AkaCommand
{
    private readonly Argument<string> _name = new("name") { Description = "The space's name (a-z, 0-9 and '-')" };
    private readonly Option<string> _description = new("--description", "-d") { Description = "What the space is for" };

    public SpacesCreateCommand(CliContext context, CliOutput output)
        : base("spaces:create", "Create a space", context, output)
    {
        Arguments.Add(_name);
        Options.Add(_description);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var name = parseResult.GetRequiredValue(_name);
        using var api = Connect();
        var space = await Output.WhileAsync($"Creating space {name}", () => api.CreateSpaceAsync(new CreateSpaceRequest(name, parseResult.GetValue(_description)), ct));
        Output.Done($"Creating space {space.Value.Name}");
        return 0;
    }
}
