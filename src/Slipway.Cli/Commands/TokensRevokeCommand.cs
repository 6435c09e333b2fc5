using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary><c>aka tokens:revoke ID [-u USER]</c>: the token stops working at once, the next request with it gets a 401.</summary>
public sealed class TokensRevokeCommand : AkaCommand
{
    private readonly Argument<string> _token = new("id") { Description = "The token's id (see aka tokens)" };
    private readonly Option<string> _user = CommonOptions.User();

    public TokensRevokeCommand(CliContext context, CliOutput output)
        : base("tokens:revoke", "Revoke an API token", context, output)
    {
        Arguments.Add(_token);
        Options.Add(_user);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        using var api = Connect();
        var revoked = (await api.RevokeTokenAsync(parseResult.GetRequiredValue(_user), parseResult.GetRequiredValue(_token), ct)).Value;
        Output.Line($"Revoked token {revoked.Id}{(revoked.Description is { Length: > 0 } d ? $" ({d})" : "")}");
        return 0;
    }
}
