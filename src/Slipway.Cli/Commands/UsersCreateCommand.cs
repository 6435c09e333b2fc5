using System.CommandLine;
using Slipway.Cli.Output;
using Slipway.Contracts;

namespace Slipway.Cli.Commands;

/// <summary><c>aka users:create EMAIL [--name N] [--admin]</c> (admins only): the new user and its first token, shown this once.</summary>
public sealed class UsersCreateCommand : AkaCommand
{
    private readonly Argument<string> _email = new("email") { Description = "The new user's email" };
    private readonly Option<string> _name = new("--name") { Description = "The user's full name" };
    private readonly Option<bool> _admin = new("--admin") { Description = "Make the user an admin" };

    public UsersCreateCommand(CliContext context, CliOutput output)
        : base("users:create", "Create a user and its first API token (admins only)", context, output)
    {
        Arguments.Add(_email);
        Options.Add(_name);
        Options.Add(_admin);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        using var api = Connect();
        var request = new CreateUserRequest(parseResult.GetRequiredValue(_email), parseResult.GetValue(_name), parseResult.GetValue(_admin));
        var created = (await api.CreateUserAsync(request, ct)).Value;
        Output.Line($"Created user {created.User.Email}");
        Output.Line($"Token: {created.Token.Token}");
        return 0;
    }
}
