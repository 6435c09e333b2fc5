namespace Slipway.Cli.Tests;

/// <summary>What one run of <c>aka</c> left: its exit code and everything it wrote to stdout and stderr.</summary>
public sealed record AkaResult(int ExitCode, string Out, string Error);

/// <summary>
/// Runs the real <c>aka</c> command tree in-process against the API at <paramref name="ApiUrl"/>,
/// with captured writers and whatever token, netrc file, clock and stdin a test gives it.
/// </summary>
public sealed record Aka(Uri ApiUrl)
{
    /// <summary>The <c>SLIPWAY_API_TOKEN</c> the run sees (the admin's unless a test says otherwise).</summary>
    public string? Token { get; init; } = SlipwayTestServer.AdminToken;

    public string NetrcPath { get; init; } = Path.Combine(Path.GetTempPath(), $"aka-netrc-{Guid.NewGuid():N}");

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public string Input { get; init; } = "";

    public bool IsTerminal { get; init; }

    /// <summary>The folder the run is in (a test's git repository for <c>git:remote</c>).</summary>
    public string WorkingDirectory { get; init; } = Environment.CurrentDirectory;

    public async Task<AkaResult> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await RunAsync(output, error, TestContext.Current.CancellationToken, args);
        return new AkaResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Runs with a writer and a cancellation token of the test's own (Ctrl-C is a cancellation).</summary>
    public Task<int> RunAsync(TextWriter output, CancellationToken ct, params string[] args) => RunAsync(output, TextWriter.Null, ct, args);

    private async Task<int> RunAsync(TextWriter output, TextWriter error, CancellationToken ct, string[] args)
    {
        var context = new CliContext
        {
            ApiUrl = ApiUrl,
            EnvironmentToken = Token,
            NetrcPath = NetrcPath,
            Clock = Clock,
            In = new StringReader(Input),
            Out = output,
            Error = error,
            IsTerminal = IsTerminal,
            WorkingDirectory = WorkingDirectory,
        };

        return await AkaCli.Build(context).Parse(args).InvokeAsync(context, ct);
    }
}

/// <summary>The CLI pointed at a fixture's server.</summary>
public static class AkaFixtures
{
    extension(SlipwayServerFixture fixture)
    {
        /// <summary>The CLI, logged in as the admin through <c>SLIPWAY_API_TOKEN</c>.</summary>
        public Aka Aka => new(fixture.Server.BaseAddress);
    }
}
