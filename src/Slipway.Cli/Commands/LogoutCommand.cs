using System.CommandLine;
using Slipway.Cli.Api;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary><c>aka logout</c>: forgets the token kept in netrc for the API's host (the token itself stays valid).</summary>
public sealed class LogoutCommand(CliContext context, CliOutput output)
    : AkaCommand("logout", "Forget the token kept for this API", context, output)
{
    protected override Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        if (File.Exists(Context.NetrcPath))
        {
            Netrc.Load(Context.NetrcPath).Without(Context.NetrcMachine).Save(Context.NetrcPath);
        }

        Output.Line("Logged out");
        return Task.FromResult(0);
    }
}
