namespace Slipway.Cli.Api;

/// <summary>The login and password a netrc entry holds for one machine.</summary>
public sealed record NetrcCredentials(string? Login, string? Password);

/// <summary>
/// A netrc file (<c>machine HOST login EMAIL password TOKEN</c>), where <c>aka login</c> keeps
/// its token as Heroku's and Akkeris's CLIs do. Edits replace only the entries of one machine
/// and keep everything else in the file (other machines, comments, macros) as it was.
/// </summary>
public sealed class Netrc
{
    private readonly string _text;
    private readonly List<Entry> _entries;

    private Netrc(string text)
    {
        _text = text;
        _entries = ParseEntries(text);
    }

    public static Netrc Parse(string text) => new(text);

    /// <summary>The file at <paramref name="path"/>, or an empty one when there is none yet.</summary>
    public static Netrc Load(string path) => new(File.Exists(path) ? File.ReadAllText(path) : "");

    /// <summary>The credentials for <paramref name="machine"/>, else those of a <c>default</c> entry, else null.</summary>
    public NetrcCredentials? Find(string machine)
    {
        var entry = _entries.FirstOrDefault(e => string.Equals(e.Machine, machine, StringComparison.OrdinalIgnoreCase))
            ?? _entries.FirstOrDefault(e => e.Machine is null);
        return entry is null ? null : new NetrcCredentials(entry.Login, entry.Password);
    }

    /// <summary>This file with <paramref name="machine"/>'s entries replaced by one holding the given login and password.</summary>
    public Netrc With(string machine, string login, string password)
    {
        var text = Without(machine)._text;
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            text += "\n";
        }

        return new Netrc($"{text}machine {machine} login {login} password {password}\n");
    }

    /// <summary>This file without any entry for <paramref name="machine"/>.</summary>
    public Netrc Without(string machine)
    {
        var text = _text;
        foreach (var entry in _entries.Where(e => string.Equals(e.Machine, machine, StringComparison.OrdinalIgnoreCase)).OrderByDescending(e => e.Start))
        {
            text = text.Remove(entry.Start, entry.End - entry.Start);
        }

        return new Netrc(text);
    }

    /// <summary>Writes the file readable by its owner only (mode 0600), replacing it in one step.</summary>
    public void Save(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = $"{full}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using (var writer = new StreamWriter(temporary, options))
        {
            writer.Write(_text);
        }

        File.Move(temporary, full, overwrite: true);
    }

    public override string ToString() => _text;

    private static List<Entry> ParseEntries(string text)
    {
        var entries = new List<Entry>();
        Entry? current = null;
        var tokens = Tokenize(text).ToList();
        for (var i = 0; i < tokens.Count; i++)
        {
            var (token, start) = tokens[i];
            string? Next() => i + 1 < tokens.Count ? tokens[++i].Text : null;
            switch (token)
            {
                case "machine" or "default" or "macdef":
                    if (current is not null)
                    {
                        current.End = start;
                    }

                    current = token switch
                    {
                        "machine" => new Entry(Next(), start),
                        "default" => new Entry(null, start),
                        _ => null,
                    };
                    if (current is not null)
                    {
                        entries.Add(current);
                    }

                    break;
                case "login" when current is not null:
                    current.Login = Next();
                    break;
                case "password" when current is not null:
                    current.Password = Next();
                    break;
                case "account" when current is not null:
                    Next();
                    break;
            }
        }

        if (current is not null)
        {
            current.End = text.Length;
        }

        return entries;
    }

    /// <summary>Whitespace-separated tokens with their offsets; skips <c>#</c> comments and the bodies of <c>macdef</c> macros.</summary>
    private static IEnumerable<(string Text, int Start)> Tokenize(string text)
    {
        var i = 0;
        var macroPending = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }

            if (text[i] == '#')
            {
                i = LineEnd(text, i);
                continue;
            }

            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            var token = text[start..i];
            yield return (token, start);

            if (macroPending > 0 && --macroPending == 0)
            {
                // A macro's body runs from the line after its name to the first empty line.
                var body = text.IndexOf("\n\n", i, StringComparison.Ordinal);
                i = body < 0 ? text.Length : body + 2;
            }
            else if (token == "macdef")
            {
                macroPending = 1;
            }
        }
    }

    private static int LineEnd(string text, int from)
    {
        var end = text.IndexOf('\n', from);
        return end < 0 ? text.Length : end;
    }

    private sealed class Entry(string? machine, int start)
    {
        public string? Machine { get; } = machine;

        public int Start { get; } = start;

        public int End { get; set; }

        public string? Login { get; set; }

        public string? Password { get; set; }
    }
}
