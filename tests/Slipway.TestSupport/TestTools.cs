using System.Diagnostics;

namespace Slipway.TestSupport;

/// <summary>
/// The real programs the tests run from the npm registry (s3rver, the Heroku CLI), pinned by
/// <c>tests/tools/package-lock.json</c>. <c>.ci/run</c> installs them; a test run on a machine where
/// they are missing installs them once with <c>npm ci</c>.
/// </summary>
public static class TestTools
{
    private static readonly SemaphoreSlim Installing = new(1, 1);

    /// <summary>The folder holding <c>Slipway.slnx</c>, found upwards from the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Slipway.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Slipway.slnx not found above " + AppContext.BaseDirectory);
    }

    /// <summary><c>tests/tools</c>, where the pinned npm packages are installed.</summary>
    public static string Folder => Path.Combine(RepositoryRoot(), "tests", "tools");

    /// <summary>
    /// The full path of <paramref name="relativePath"/> under <c>tests/tools/node_modules</c>,
    /// after installing the pinned packages if that file is not there yet.
    /// </summary>
    public static async Task<string> PathOfAsync(string relativePath)
    {
        var path = Path.Combine(Folder, "node_modules", relativePath);
        if (File.Exists(path))
        {
            return path;
        }

        await Installing.WaitAsync();
        try
        {
            if (!File.Exists(path))
            {
                await RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--prefix", Folder]);
            }
        }
        finally
        {
            Installing.Release();
        }

        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing after 'npm ci --prefix {Folder}'.");
    }

    /// <summary>Runs a program to its end and answers its standard output; a non-zero exit throws with what it printed.</summary>
    public static async Task<string> RunAsync(string program, IReadOnlyList<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? "" };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed: {await output}{await error}");
        }

        return await output;
    }
}
