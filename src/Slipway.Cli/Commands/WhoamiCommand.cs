using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary><c>aka auth:whoami</c>: the email of the token's user.</summary>
public sealed class WhoamiCommand(CliContext context, CliOutput output)
    : AkaCommand("auth:whoami", "Show the email you are logged in as", context, output)
{
    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        using var api = Connect();
        Output.Line((await api.GetAccountAsync(ct)).Value.Email);
        return 0;
    }
}
