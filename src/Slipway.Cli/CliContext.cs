namespace Slipway.Cli;

/// <summary>
/// Everything <c>aka</c> takes from the world outside: where the API is, where a token may come
/// from, the clock and the console. <c>Program</c> fills it from the real environment; tests
/// inject their own writers, netrc file and clock.
/// </summary>
public sealed record CliContext
{
    public const string DefaultApiUrl = "http://127.0.0.1:5000";

    /// <summary>The API's base address (<c>SLIPWAY_API_URL</c>).</summary>
    public required Uri ApiUrl { get; init; }

    /// <summary>A token that wins over the netrc file (<c>SLIPWAY_API_TOKEN</c>), or null.</summary>
    public string? EnvironmentToken { get; init; }

    /// <summary>The netrc file that <c>aka login</c> writes and later commands read (<c>~/.netrc</c>, or <c>NETRC</c>).</summary>
    public required string NetrcPath { get; init; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The folder <c>aka</c> runs in (<c>git:remote</c> adds the remote to the repository there).</summary>
    public string WorkingDirectory { get; init; } = Environment.CurrentDirectory;

    public TextReader In { get; init; } = TextReader.Null;

    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>Whether stdout is a terminal: only then is output coloured or animated.</summary>
    public bool IsTerminal { get; init; }

    /// <summary>Whether stdin is a terminal, so a secret can be typed without echo.</summary>
    public bool InputIsTerminal { get; init; }

    /// <summary>The netrc machine name under which this API's credentials are kept (its host, as Heroku's CLI does).</summary>
    public string NetrcMachine => ApiUrl.Host;
}
