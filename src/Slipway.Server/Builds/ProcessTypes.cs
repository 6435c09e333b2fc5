using System.Text;
using System.Text.RegularExpressions;

namespace Slipway.Server.Builds;

/// <summary>
/// Where a slug's process types come from: the app's <c>Procfile</c>, read line by line (it is
/// not YAML), and the buildpack's <c>bin/release</c> YAML, of which only
/// <c>default_process_types</c> matters. The Procfile wins, type by type.
/// </summary>
public static partial class ProcessTypes
{
    /// <summary>The most process types a slug may declare.</summary>
    public const int MaxTypes = 100;

    public const int MaxNameLength = 63;

    /// <summary>The longest command of a process type (a shell line, not a script).</summary>
    public const int MaxCommandLength = 8192;

    /// <summary>Why a slug cannot have <paramref name="types"/> (too many, a name or command too long), or null when it can.</summary>
    public static string? BoundsProblem(IReadOnlyDictionary<string, string> types)
    {
        if (types.Count > MaxTypes)
        {
            return $"The slug declares {types.Count} process types; at most {MaxTypes} are allowed.";
        }

        foreach (var (name, command) in types)
        {
            if (name.Length > MaxNameLength)
            {
                return $"Process type name '{name[..MaxNameLength]}…' is {name.Length} characters; at most {MaxNameLength} are allowed.";
            }

            if (command.Length > MaxCommandLength)
            {
                return $"The command of process type '{name}' is {command.Length} characters; at most {MaxCommandLength} are allowed.";
            }
        }

        return null;
    }

    /// <summary>Parses a Procfile: <c>name: command</c> lines, <c>#</c> comments; other lines are reported, not fatal.</summary>
    public static Dictionary<string, string> ParseProcfile(string text, out List<string> ignored)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        ignored = [];
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var match = ProcfileLine().Match(line);
            if (match.Success)
            {
                types[match.Groups[1].Value] = match.Groups[2].Value.Trim();
            }
            else
            {
                ignored.Add($"line {number}: {line}");
            }
        }

        return types;
    }

    /// <summary>
    /// Reads <c>default_process_types</c> from <c>bin/release</c>'s YAML: a block mapping of
    /// plain, single- or double-quoted scalars (what buildpacks print). Anything else is ignored.
    /// </summary>
    public static Dictionary<string, string> ParseReleaseYaml(string yaml)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var inside = false;
        foreach (var raw in yaml.Split('\n'))
        {
            var line = raw.TrimEnd('\r', ' ', '\t');
            if (line.Length == 0 || line.TrimStart().StartsWith('#') || line is "---" or "...")
            {
                continue;
            }

            var indented = line[0] is ' ' or '\t';
            if (!indented)
            {
                var top = TopKey().Match(line);
                inside = top.Success && top.Groups[1].Value == "default_process_types";
                if (inside && top.Groups[2].Value.Trim() is { Length: > 0 } inline)
                {
                    ParseFlowMapping(inline, types);
                    inside = false;
                }

                continue;
            }

            if (inside && YamlPair().Match(line.Trim()) is { Success: true } pair)
            {
                var key = Unquote(pair.Groups[1].Value);
                var value = Unquote(pair.Groups[2].Value);
                if (ProcfileName().IsMatch(key) && value.Length > 0)
                {
                    types[key] = value;
                }
            }
        }

        return types;
    }

    /// <summary>The slug's process types: the buildpack's defaults, overridden type by type by the Procfile.</summary>
    public static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string> defaults, IReadOnlyDictionary<string, string> procfile)
    {
        var merged = new Dictionary<string, string>(defaults, StringComparer.Ordinal);
        foreach (var (name, command) in procfile)
        {
            merged[name] = command;
        }

        return merged;
    }

    /// <summary><c>{}</c> or <c>{web: cmd, worker: "x"}</c> on the key's own line.</summary>
    private static void ParseFlowMapping(string inline, Dictionary<string, string> types)
    {
        if (!inline.StartsWith('{') || !inline.EndsWith('}'))
        {
            return;
        }

        foreach (var part in inline[1..^1].Split(','))
        {
            if (YamlPair().Match(part.Trim()) is { Success: true } pair && ProcfileName().IsMatch(Unquote(pair.Groups[1].Value)))
            {
                types[Unquote(pair.Groups[1].Value)] = Unquote(pair.Groups[2].Value);
            }
        }
    }

    private static string Unquote(string scalar)
    {
        scalar = scalar.Trim();
        if (scalar.Length >= 2 && scalar[0] == '\'' && scalar[^1] == '\'')
        {
            return scalar[1..^1].Replace("''", "'", StringComparison.Ordinal);
        }

        if (scalar.Length >= 2 && scalar[0] == '"' && scalar[^1] == '"')
        {
            return UnescapeDoubleQuoted(scalar[1..^1]);
        }

        // A plain scalar ends where a comment starts (" #").
        var comment = scalar.IndexOf(" #", StringComparison.Ordinal);
        return (comment >= 0 ? scalar[..comment] : scalar).Trim();
    }

    private static string UnescapeDoubleQuoted(string text)
    {
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                i++;
                result.Append(text[i] switch
                {
                    'n' => '\n',
                    't' => '\t',
                    _ => text[i],
                });
            }
            else
            {
                result.Append(text[i]);
            }
        }

        return result.ToString();
    }

    [GeneratedRegex(@"^([A-Za-z0-9_-]+):\s*(.+)$")]
    private static partial Regex ProcfileLine();

    [GeneratedRegex(@"^[A-Za-z0-9_-]+$")]
    private static partial Regex ProcfileName();

    [GeneratedRegex(@"^([A-Za-z0-9_""'-]+):(.*)$")]
    private static partial Regex TopKey();

    [GeneratedRegex(@"^(""[^""]*""|'[^']*'|[^:#\s][^:]*?)\s*:\s+(.*)$")]
    private static partial Regex YamlPair();
}
