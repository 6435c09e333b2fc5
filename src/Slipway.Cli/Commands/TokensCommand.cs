using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary>
/// <c>aka tokens [-u USER] [--json]</c>: your API tokens (an admin may name another user), one a
/// line: id, when it was made, its description. Secrets are never shown again after creation.
/// </summary>
public sealed class TokensCommand : AkaCommand
{
    private readonly Option<string> _user = CommonOptions.User();
    private readonly Option<bool> _json = CommonOptions.Json();

    public TokensCommand(CliContext context, CliOutput output)
        : base("tokens", "List your API tokens (never their secrets)", context, output)
    {
        Options.Add(_user);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        using var api = Connect();
        var tokens = await api.ListTokensAsync(parseResult.GetRequiredValue(_user), ct);
        if (parseResult.GetValue(_json))
        {
            Output.Json(tokens.Json);
            return 0;
        }

        var now = Context.Clock.GetUtcNow();
        Output.Rows(tokens.Value.Select(t => (IReadOnlyList<string>)[t.Id.ToString(), TimeText.Relative(t.CreatedAt, now), t.Description ?? ""]));
        return 0;
    }
}
