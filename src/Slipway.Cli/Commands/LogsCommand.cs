using System.CommandLine;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary>
/// <c>aka logs -a APP [-n N] [-t|--tail]</c>: the app's recent log lines
/// (<c>&lt;timestamp&gt; &lt;source&gt;: &lt;text&gt;</c>) as they arrive; <c>--tail</c> keeps following
/// until Ctrl-C.
/// </summary>
public sealed class LogsCommand : AkaCommand
{
    private readonly Option<string> _app = CommonOptions.App();
    private readonly Option<int> _num = new("--num", "-n") { Description = "How many recent lines to show", DefaultValueFactory = _ => 100 };
    private readonly Option<bool> _tail = new("--tail", "-t") { Description = "Keep following new lines until Ctrl-C" };

    public LogsCommand(CliContext context, CliOutput output)
        : base("logs", "Show an app's logs", context, output)
    {
        Options.Add(_app);
        Options.Add(_num);
        Options.Add(_tail);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        var lines = parseResult.GetValue(_num);
        if (lines < 0)
        {
            throw new CliException("--num must be 0 or more.");
        }

        using var api = Connect();
        try
        {
            await foreach (var line in api.StreamLogsAsync(app, lines, parseResult.GetValue(_tail), ct))
            {
                Output.Raw(line);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl-C is how a tail ends.
        }

        return 0;
    }
}
