using System.CommandLine;
using System.Diagnostics;
using Slipway.Cli.Output;

namespace Slipway.Cli.Commands;

/// <summary>
/// <c>aka git:remote -a APP [-r NAME]</c>: adds the app's git remote (named <c>slipway</c> unless
/// told otherwise) to the repository in the current folder, or points an existing one at it, so
/// that <c>git push slipway main</c> deploys. git reads the token from the <c>~/.netrc</c> entry
/// <c>aka login</c> wrote.
/// </summary>
public sealed class GitRemoteCommand : AkaCommand
{
    private readonly Option<string> _app = CommonOptions.App();
    private readonly Option<string> _remote = new("--remote", "-r") { Description = "The git remote's name", DefaultValueFactory = _ => "slipway" };

    public GitRemoteCommand(CliContext context, CliOutput output)
        : base("git:remote", "Add the app's git remote to the repository here", context, output)
    {
        Options.Add(_app);
        Options.Add(_remote);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var remote = parseResult.GetRequiredValue(_remote);
        using var api = Connect();
        var app = (await api.GetAppAsync(parseResult.GetRequiredValue(_app), ct)).Value;
        if (await GitAsync(ct, "rev-parse", "--git-dir") is (not 0, var notRepo))
        {
            throw new CliException($"{Context.WorkingDirectory} is not in a git repository ({notRepo}); run git init first.");
        }

        var exists = await GitAsync(ct, "remote", "get-url", remote) is (0, _);
        var (code, said) = await GitAsync(ct, "remote", exists ? "set-url" : "add", remote, app.GitUrl);
        if (code != 0)
        {
            throw new CliException($"git could not {(exists ? "change" : "add")} the remote {remote}: {said}");
        }

        Output.Line($"set git remote {remote} to {app.GitUrl}");
        return 0;
    }

    private static Process StartGit(ProcessStartInfo start)
    {
        try
        {
            return Process.Start(start) ?? throw new CliException("git could not be started.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new CliException($"git could not be started ({e.Message}); is it installed?");
        }
    }

    /// <summary>Runs git in the working folder; answers its exit code and its last words on stderr.</summary>
    private async Task<(int Code, string Error)> GitAsync(CancellationToken ct, params string[] args)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = Context.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var git = StartGit(start);
        var stdout = git.StandardOutput.ReadToEndAsync(ct);
        var stderr = await git.StandardError.ReadToEndAsync(ct);
        await stdout;
        await git.WaitForExitAsync(ct);
        return (git.ExitCode, stderr.Trim().Split('\n').LastOrDefault() ?? "");
    }
}
