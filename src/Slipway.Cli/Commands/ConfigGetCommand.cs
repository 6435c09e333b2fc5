using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary><c>aka config:get KEY -a APP</c>: the value alone (an empty line when unset), for scripts.</summary>
public sealed class ConfigGetCommand : AkaCommand
{
    private readonly Argument<string> _key = new("key") { Description = "The config var's name" };
    private readonly Option<string> _app = CommonOptions.App();

    public ConfigGetCommand(CliContext context, CliOutput output)
        : base("config:get", "Print one config var's value", context, output)
    {
        Arguments.Add(_key);
        Options.Add(_app);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        using var api = Connect();
        var config = (await api.GetConfigAsync(parseResult.GetRequiredValue(_app), ct)).Value;
        Output.Line(config.GetValueOrDefault(parseResult.GetRequiredValue(_key), ""));
        return 0;
    }
}
