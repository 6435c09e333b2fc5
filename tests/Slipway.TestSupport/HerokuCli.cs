using System.Diagnostics;
using System.Text;

namespace Slipway.TestSupport;

/// <summary>What one run of a command line printed and how it ended.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error);

/// <summary>
/// The real Heroku CLI (npm <c>heroku</c> 11.10.0, pinned in <c>tests/tools</c>) as a Heroku user
/// runs it against Slipway: <c>HEROKU_HOST</c> is the server's API address, <c>HEROKU_API_KEY</c>
/// the token, in a HOME of its own (no netrc, no config, no plugins of the machine's user), with
/// telemetry, update checks and notices off and stdin closed, so that nothing prompts or leaves the machine.
/// </summary>
public sealed class HerokuCli : IDisposable
{
    /// <summary>Longest a single command may take; node starts the CLI in a few seconds.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private readonly Uri _api;
    private readonly string _token;
    private readonly string _home = Directory.CreateTempSubdirectory("slipway-heroku-home-").FullName;

    public HerokuCli(Uri api, string token)
    {
        (_api, _token) = (api, token);
    }

    /// <summary>Runs <c>heroku</c> with <paramref name="arguments"/> and waits for its end.</summary>
    public async Task<CliRun> RunAsync(params string[] arguments)
    {
        var heroku = await TestTools.PathOfAsync(Path.Combine("heroku", "bin", "run.js"));
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _home,
        };
        start.ArgumentList.Add(heroku);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        start.Environment["HOME"] = _home;
        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(_home, ".config");
        start.Environment["XDG_DATA_HOME"] = Path.Combine(_home, ".local", "share");
        start.Environment["XDG_CACHE_HOME"] = Path.Combine(_home, ".cache");
        start.Environment["HEROKU_HOST"] = _api.GetLeftPart(UriPartial.Authority);
        start.Environment["HEROKU_API_KEY"] = _token;
        start.Environment["DISABLE_TELEMETRY"] = "true";
        start.Environment["HEROKU_SKIP_NEW_VERSION_CHECK"] = "true";
        start.Environment["HEROKU_DISABLE_AUTOUPDATE"] = "true";
        start.Environment["HEROKU_UPDATE_INSTRUCTIONS"] = "disabled in tests";
        start.Environment["NO_COLOR"] = "1";
        start.Environment["COLUMNS"] = "200";
        start.Environment["CI"] = "true";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"heroku {string.Join(' ', arguments)} did not end within {Timeout.TotalSeconds} s. Output so far: {await output}{await error}");
        }

        return new CliRun(process.ExitCode, Normalize(await output), Normalize(await error));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
            // A CLI process that outlived its test must not fail the run.
        }
    }

    /// <summary>Line ends as \n and without the terminal's colour codes, should any slip through.</summary>
    private static string Normalize(string text)
    {
        var plain = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\u001b' && i + 1 < text.Length && text[i + 1] == '[')
            {
                i += 2;
                while (i < text.Length && !char.IsAsciiLetter(text[i]))
                {
                    i++;
                }

                continue;
            }

            if (text[i] != '\r')
            {
                plain.Append(text[i]);
            }
        }

        return plain.ToString();
    }
}
