using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary><c>aka spaces:members:remove EMAIL -s SPACE</c> (admins only): the user no longer sees the space or its apps, from her next request.</summary>
public sealed class SpacesMembersRemoveCommand : AkaCommand
{
    private readonly Argument<string> _user = new("email") { Description = "The user's email (or id)" };
    private readonly Option<string> _space = CommonOptions.Space(required: true);

    public SpacesMembersRemoveCommand(CliContext context, CliOutput output)
        : base("spaces:members:remove", "Remove a user from a space (admins only)", context, output)
    {
        Arguments.Add(_user);
        Options.Add(_space);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var space = parseResult.GetRequiredValue(_space);
        using var api = Connect();
        var member = (await api.RemoveSpaceMemberAsync(space, parseResult.GetRequiredValue(_user), ct)).Value;
        Output.Line($"Removed {member.Email} from {space}");
        return 0;
    }
}
