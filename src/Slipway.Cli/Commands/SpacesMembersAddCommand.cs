using System.CommandLine;
using Slipway.Cli.Output;
using Slipway.Contracts;

namespace Slipway.Cli.Commands;

/// <summary><c>aka spaces:members:add EMAIL -s SPACE</c> (admins only): lets a user see the space and its apps.</summary>
public sealed class SpacesMembersAddCommand : AkaCommand
{
    private readonly Argument<string> _user = new("email") { Description = "The user's email (or id)" };
    private readonly Option<string> _space = CommonOptions.Space(required: true);

    public SpacesMembersAddCommand(CliContext context, CliOutput output)
        : base("spaces:members:add", "Add a user to a space (admins only)", context, output)
    {
        Arguments.Add(_user);
        Options.Add(_space);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var space = parseResult.GetRequiredValue(_space);
        using var api = Connect();
        var member = (await api.AddSpaceMemberAsync(space, new AddSpaceMemberRequest(parseResult.GetRequiredValue(_user)), ct)).Value;
        Output.Line($"Added {member.Email} to {space}");
        return 0;
    }
}
