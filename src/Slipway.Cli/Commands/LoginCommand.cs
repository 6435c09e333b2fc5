using System.CommandLine;
using Slipway.Cli.Api;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary><c>aka login [--token T]</c>: checks a token with the API and keeps it in netrc under the API's host.</summary>
public sealed class LoginCommand : AkaCommand
{
    private readonly Option<string> _token = new("--token", "-t") { Description = "An API token (asked for when not given)" };

    public LoginCommand(CliContext context, CliOutput output)
        : base("login", "Log in with an API token", context, output)
    {
        Options.Add(_token);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var token = (parseResult.GetValue(_token) ?? Output.ReadSecret("Token: "))?.Trim();
        if (string.IsNullOrEmpty(token))
        {
            throw new CliException("A token is required: aka login --token TOKEN.");
        }

        using var api = SlipwayApi.WithToken(Context, token);
        var account = (await api.GetAccountAsync(ct)).Value;
        Netrc.Load(Context.NetrcPath).With(Context.NetrcMachine, account.Email, token).Save(Context.NetrcPath);
        Output.Line($"Logged in as {account.Email}");
        return 0;
    }
}
