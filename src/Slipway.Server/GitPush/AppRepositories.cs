using System.Globalization;
using Microsoft.Extensions.Options;
using Slipway.Server.AutoDeploy;
using Slipway.Server.Builds;
using Slipway.Server.Runtime;

namespace Slipway.Server.GitPush;

/// <summary>
/// Each app's bare git repository, <c>{data}/repositories/{app id}.git</c>, made on the first
/// request to the app's remote and removed with the app. Every git command on them runs with
/// the same settings, given through git's environment (never a config file a user could push):
/// the push hook folder of the server, the push size limit, no system or global config.
/// </summary>
public sealed class AppRepositories(ProcessLauncher launcher, IOptions<SlipwayOptions> options, IOptions<GitOptions> git)
{
    /// <summary>The hook every push runs before git takes it: the server decides (<see cref="GitPushService.ReceiveAsync"/>).</summary>
    public const string PreReceiveHook = """
        #!/bin/sh
        # Written by Slipway. A push through Slipway's git remote is built before git takes it:
        # this hands the pushed refs to the server and prints what it says (as "remote:" lines).
        if [ -z "${SLIPWAY_PUSH_URL:-}" ]; then
            echo "! Push to this app through its Slipway git remote (aka git:remote)." >&2
            exit 1
        fi
        {
            printf 'objects %s\n' "${GIT_OBJECT_DIRECTORY:-}"
            printf 'alternates %s\n' "${GIT_ALTERNATE_OBJECT_DIRECTORIES:-}"
            cat
        } | curl --silent --show-error --no-buffer --noproxy '*' --insecure \
            --header "X-Slipway-Push: $SLIPWAY_PUSH_KEY" --header "Content-Type: text/plain" \
            --data-binary @- "$SLIPWAY_PUSH_URL" 2>&1 | {
            verdict=1
            while IFS= read -r line; do
                if [ "$line" = "$SLIPWAY_PUSH_KEY accepted" ]; then verdict=0; else printf '%s\n' "$line"; fi
            done
            exit $verdict
        }

        """;

    private readonly SemaphoreSlim _create = new(1, 1);

    public string Root => Path.Combine(options.Value.FullDataDir, "repositories");

    private string Hooks => Path.Combine(Root, "hooks");

    /// <summary>Where the repository of app <paramref name="appId"/> is (it may not exist yet).</summary>
    public string PathOf(Guid appId) => Path.Combine(Root, NameOf(appId));

    /// <summary>The repository's folder name under <see cref="Root"/>, as <c>git http-backend</c> is given it.</summary>
    public static string NameOf(Guid appId) => appId.ToString("N") + ".git";

    /// <summary>Makes the app's bare repository (branch <c>main</c>) and the hook folder, when missing; answers its path.</summary>
    public async Task<string> EnsureAsync(Guid appId, CancellationToken ct)
    {
        var path = PathOf(appId);
        if (File.Exists(Path.Combine(path, "HEAD")) && File.Exists(Path.Combine(Hooks, "pre-receive")))
        {
            return path;
        }

        await _create.WaitAsync(ct);
        try
        {
            WriteHook();
            if (!File.Exists(Path.Combine(path, "HEAD")))
            {
                // Made aside and moved in whole: a repository is there complete or not at all.
                var scratch = Path.Combine(Root, "incoming-" + Guid.NewGuid().ToString("N"));
                try
                {
                    await GitAsync(Root, ["init", "--quiet", "--bare", "--initial-branch=main", scratch], ct);
                    Directory.Move(scratch, path);
                }
                finally
                {
                    BuildPaths.Remove(scratch);
                }
            }
        }
        finally
        {
            _create.Release();
        }

        return path;
    }

    /// <summary>Removes the app's repository, if it has one.</summary>
    public void Remove(Guid appId) => BuildPaths.Remove(PathOf(appId));

    /// <summary>
    /// The environment every git command on these repositories runs with: the tools' environment,
    /// git's settings for them, and <paramref name="extra"/>.
    /// </summary>
    public Dictionary<string, string> Environment(IEnumerable<KeyValuePair<string, string>>? extra = null)
    {
        var env = ProcessLauncher.ToolEnvironment();
        env["GIT_TERMINAL_PROMPT"] = "0";
        env["GIT_CONFIG_NOSYSTEM"] = "1";
        env["GIT_CONFIG_GLOBAL"] = "/dev/null";
        (string Key, string Value)[] config =
        [
            ("core.hooksPath", Hooks),
            ("receive.maxInputSize", git.Value.MaxPushBytes.ToString(CultureInfo.InvariantCulture)),
            ("http.receivepack", "true"),
            ("receive.denyDeleteCurrent", "true"),
            ("gc.auto", "0"),
        ];
        env["GIT_CONFIG_COUNT"] = config.Length.ToString(CultureInfo.InvariantCulture);
        for (var i = 0; i < config.Length; i++)
        {
            env[$"GIT_CONFIG_KEY_{i}"] = config[i].Key;
            env[$"GIT_CONFIG_VALUE_{i}"] = config[i].Value;
        }

        foreach (var (name, value) in extra ?? [])
        {
            env[name] = value;
        }

        return env;
    }

    /// <summary>Runs git in <paramref name="workingDirectory"/> and answers its stdout; throws <see cref="GitException"/> with its last words when it fails.</summary>
    public async Task<List<string>> GitAsync(string workingDirectory, string[] args, CancellationToken ct, IEnumerable<KeyValuePair<string, string>>? extra = null)
    {
        Directory.CreateDirectory(workingDirectory);
        var errors = new List<string>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(git.Value.CommandTimeout);
        var (exit, stdout) = await launcher.CaptureAsync(new ProcessSpec("git", args, workingDirectory, Environment(extra)), line =>
        {
            lock (errors)
            {
                errors.Add(line);
            }
        }, timeout.Token);
        if (exit != 0)
        {
            throw new GitException(errors.LastOrDefault(l => l.Trim().Length > 0)?.Trim() ?? $"git {args[0]} exited with {exit}.");
        }

        return stdout;
    }

    private void WriteHook()
    {
        Directory.CreateDirectory(Hooks);
        var hook = Path.Combine(Hooks, "pre-receive");
        if (File.Exists(hook) && File.ReadAllText(hook) == PreReceiveHook)
        {
            return;
        }

        var scratch = hook + "." + Guid.NewGuid().ToString("N");
        File.WriteAllText(scratch, PreReceiveHook);
        File.SetUnixFileMode(scratch, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.Move(scratch, hook, overwrite: true);
    }
}
