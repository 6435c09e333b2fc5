using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary>
/// <c>aka users:destroy EMAIL --confirm EMAIL</c> (admins only): the user's tokens and space
/// memberships go at once. The email must be typed again; without it nothing is sent.
/// </summary>
public sealed class UsersDestroyCommand : AkaCommand
{
    private readonly Argument<string> _user = new("email") { Description = "The user's email (or id)" };
    private readonly Option<string> _confirm = new("--confirm") { Description = "The user's email (or id) again, to confirm" };

    public UsersDestroyCommand(CliContext context, CliOutput output)
        : base("users:destroy", "Delete a user with her tokens and space memberships (admins only)", context, output)
    {
        Arguments.Add(_user);
        Options.Add(_confirm);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var user = parseResult.GetRequiredValue(_user);
        if (parseResult.GetValue(_confirm) != user)
        {
            throw new CliException($"To destroy {user}, re-run with --confirm {user}");
        }

        using var api = Connect();
        await Output.WhileAsync($"Destroying {user}", () => api.DeleteUserAsync(user, ct));
        Output.Done($"Destroying {user}");
        return 0;
    }
}
