using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Slipway.Cli.Output;

/// <summary>How a line is marked on a terminal; piped output never shows it.</summary>
public enum Tone
{
    Plain,
    Success,
    Failure,
}

/// <summary>
/// The one way <c>aka</c> writes. Results go to stdout as plain text; only when stdout is a
/// terminal does Spectre.Console add colour and spinners, so piped output and <c>--json</c>
/// stay exactly what the commands print. Errors are one <c>! message</c> line on stderr.
/// </summary>
public sealed class CliOutput
{
    private const string Check = "✓";
    private const string Cross = "✕";

    private static readonly JsonSerializerOptions IndentedJson = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly CliContext _context;
    private readonly IAnsiConsole? _terminal;

    public CliOutput(CliContext context)
    {
        _context = context;
        if (context.IsTerminal)
        {
            _terminal = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.Yes,
                ColorSystem = ColorSystemSupport.Standard,
                Interactive = InteractionSupport.Yes,
                Out = new AnsiConsoleOutput(context.Out),
            });

            // The terminal wraps long lines itself; Spectre must not insert line breaks of its own.
            _terminal.Profile.Width = int.MaxValue;
        }
    }

    public void Line(string text = "", Tone tone = Tone.Plain)
    {
        if (_terminal is null || tone == Tone.Plain)
        {
            _context.Out.WriteLine(text);
            return;
        }

        var colour = tone == Tone.Success ? "green" : "red";
        _terminal.MarkupLine($"[{colour}]{Markup.Escape(text)}[/]");
    }

    /// <summary>A Heroku-style heading: <c>=== title</c>.</summary>
    public void Heading(string title) => Line($"=== {title}");

    /// <summary>
    /// <c>Label: value</c> lines with the values aligned one space past the longest label, as
    /// Heroku's <c>styledObject</c>; fields whose value is null are left out.
    /// </summary>
    public void Fields(params IEnumerable<(string Label, string? Value)> fields)
    {
        var present = fields.Where(f => f.Value is not null).ToList();
        var width = present.Count == 0 ? 0 : present.Max(f => f.Label.Length) + 1;
        foreach (var (label, value) in present)
        {
            Line($"{(label + ":").PadRight(width)} {value}");
        }
    }

    /// <summary>Rows of columns, each column but the last padded to its widest cell plus two spaces; no trailing blanks.</summary>
    public void Rows(IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.ToList();
        var columns = all.Count == 0 ? 0 : all.Max(r => r.Count);
        var widths = Enumerable.Range(0, columns)
            .Select(c => all.Where(r => c < r.Count).Max(r => r[c].Length))
            .ToList();
        foreach (var row in all)
        {
            var cells = row.Select((cell, c) => c < row.Count - 1 ? cell.PadRight(widths[c] + 2) : cell);
            Line(string.Concat(cells).TrimEnd());
        }
    }

    /// <summary>The API's JSON, indented for reading.</summary>
    public void Json(JsonNode? json) => Line(json?.ToJsonString(IndentedJson) ?? "null");

    /// <inheritdoc cref="Json(JsonNode?)"/>
    public void Json(string json) => Json(JsonNode.Parse(json));

    /// <summary>The end of a step: <c>action ... ✓</c>, the tick green on a terminal.</summary>
    public void Done(string action)
    {
        if (_terminal is null)
        {
            Line($"{action} ... {Check}");
            return;
        }

        _terminal.MarkupLine($"{Markup.Escape(action)} ... [green]{Check}[/]");
    }

    /// <summary>A step that failed: <c>action ... ✕</c>, the cross red on a terminal.</summary>
    public void Failed(string action)
    {
        if (_terminal is null)
        {
            Line($"{action} ... {Cross}");
            return;
        }

        _terminal.MarkupLine($"{Markup.Escape(action)} ... [red]{Cross}[/]");
    }

    /// <summary>Writes text as it is (output of an app or a build), one line, and flushes so a follower sees it at once.</summary>
    public void Raw(string line)
    {
        _context.Out.WriteLine(line);
        _context.Out.Flush();
    }

    /// <summary>Runs <paramref name="work"/> under a spinner on a terminal; prints nothing otherwise.</summary>
    public async Task<T> WhileAsync<T>(string status, Func<Task<T>> work)
    {
        if (_terminal is null)
        {
            return await work();
        }

        return await _terminal.Status().Spinner(Spinner.Known.Dots).StartAsync($"{Markup.Escape(status)} ...", _ => work());
    }

    /// <summary>Asks for a secret: without echo when typed at a terminal, else read as one line of stdin.</summary>
    public string? ReadSecret(string prompt)
    {
        if (_terminal is not null && _context.InputIsTerminal)
        {
            return _terminal.Prompt(new TextPrompt<string>(Markup.Escape(prompt)).Secret().AllowEmpty());
        }

        _context.Out.Write(prompt);
        _context.Out.Flush();
        return _context.In.ReadLine();
    }

    /// <summary>An error, as the one line <c>! message</c> on stderr.</summary>
    public void Error(string message) => _context.Error.WriteLine($"! {message}");
}
