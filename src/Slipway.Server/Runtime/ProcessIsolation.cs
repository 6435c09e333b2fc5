using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Slipway.Server.Accounts;
using Slipway.Server.Builds;
using Slipway.Server.Http;

namespace Slipway.Server.Runtime;

/// <summary>
/// The sandbox of every app, release-phase and build process (a <see cref="ProcessSpec"/> with a
/// <see cref="ProcessSandbox"/>), made with bubblewrap: new PID, mount, IPC and UTS namespaces, a
/// root holding only the system's folders (read-only, <c>/etc</c> without its secrets), the
/// toolchains on the server's PATH and the toolchain versions of <c>Slipway:Builds</c> (read-only), the sandbox's own folders, a private <c>/tmp</c>
/// and a <c>/proc</c> of its own PID namespace; the network is shared, so apps listen on their
/// <c>PORT</c> on 127.0.0.1 for the router. Run as root, the server starts each process as the
/// user of its app (a uid from <see cref="IsolationOptions.FirstUid"/>, no capabilities, no new
/// privileges); run as another user, the sandbox is made in a user namespace and processes keep
/// that user. Resource limits (<see cref="LimitOptions"/>) are set with <c>prlimit</c>. Whether
/// the sandbox works is tried once, at start-up, and said in one log line; without it, processes
/// run unwrapped and non-admins may not deploy (<see cref="RuntimeOptions.AllowUnisolated"/>).
/// </summary>
public sealed partial class ProcessIsolation(
    IOptions<RuntimeOptions> options, IOptions<SlipwayOptions> slipway, IOptions<BuildOptions> builds, ILogger<ProcessIsolation> logger) : IHostedService
{
    /// <summary>The system's folders every sandbox sees read-only (links among them stay links).</summary>
    private static readonly string[] SystemFolders = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt"];

    /// <summary>What of <c>/etc</c> a sandbox never sees: password hashes, host keys, private keys and sudo rules.</summary>
    private static readonly string[] SecretFiles = ["/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/sudoers"];

    private static readonly string[] SecretFolders = ["/etc/ssh", "/etc/ssl/private", "/etc/sudoers.d"];

    private readonly Lazy<State> _state = new(() => Probe(options.Value, slipway.Value, builds.Value));

    /// <summary>True when processes with a sandbox run in one.</summary>
    public bool Isolated => _state.Value.Isolated;

    private static bool IsRoot => Environment.IsPrivilegedProcess;

    /// <summary>Why a deploy by <paramref name="caller"/> is refused: only while the server cannot isolate, only for non-admins, unless the operator allows it.</summary>
    public Refusal? RefuseDeploy(Caller caller) =>
        caller.IsAdmin || options.Value.AllowUnisolated || Isolated
            ? null
            : new Refusal(
                StatusCodes.Status503ServiceUnavailable,
                "isolation_unavailable",
                "This server cannot isolate app processes, so only admins may deploy: ask an admin to install bubblewrap and run the server as root, or to set Slipway:Runtime:AllowUnisolated=true.");

    /// <summary>The uid (and gid) the processes of an app run as when the server runs as root: stable per app.</summary>
    public long UidOf(Guid appId)
    {
        var hash = SHA256.HashData(appId.ToByteArray());
        var isolation = options.Value.Isolation;
        return isolation.FirstUid + (long)(BinaryPrimitives.ReadUInt64LittleEndian(hash) % (ulong)isolation.UidCount);
    }

    /// <summary>
    /// The program and arguments that run <paramref name="spec"/>: wrapped in its limits and, when it
    /// has a sandbox and the server can isolate, in that sandbox (its writable folders handed to its user first).
    /// </summary>
    public List<string> CommandLine(ProcessSpec spec)
    {
        var state = _state.Value;
        var line = Limits(state, options.Value.Limits);
        if (spec.Sandbox is not { } sandbox || !state.Isolated)
        {
            return [.. line, spec.File, .. spec.Arguments];
        }

        var uid = UidOf(sandbox.AppId);
        if (IsRoot && sandbox.Writable.Count > 0)
        {
            HandOver(sandbox.Writable, uid);
        }

        line.AddRange(Sandbox(state, sandbox, spec.WorkingDirectory, uid));
        line.Add(spec.File);
        line.AddRange(spec.Arguments);
        return line;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var state = _state.Value;
        if (state.Isolated)
        {
            LogIsolated(state.Description);
        }
        else
        {
            LogNotIsolated(state.Description, options.Value.AllowUnisolated ? "non-admins may still deploy (Slipway:Runtime:AllowUnisolated=true)" : "only admins may deploy (Slipway:Runtime:AllowUnisolated=false)");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static List<string> Limits(State state, LimitOptions limits)
    {
        if (state.Prlimit is null)
        {
            return [];
        }

        List<string> line = [state.Prlimit];
        void Add(string name, long value)
        {
            if (value > 0)
            {
                line.Add(string.Create(CultureInfo.InvariantCulture, $"--{name}={value}:{value}"));
            }
        }

        Add("data", limits.MemoryMegabytes * 1024 * 1024);
        Add("nproc", limits.Processes);
        Add("nofile", limits.OpenFiles);
        line.Add("--");
        return line.Count > 2 ? line : [];
    }

    /// <summary>bubblewrap's arguments, then (as root) setpriv's, up to the program to run.</summary>
    private static List<string> Sandbox(State state, ProcessSandbox sandbox, string workingDirectory, long uid)
    {
        var mounts = new Mounts();
        List<string> line = [state.Bubblewrap!, "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"];
        if (!IsRoot)
        {
            line.Add("--unshare-user");
        }

        line.AddRange(["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]);
        mounts.Add("/tmp", readOnly: false);
        foreach (var folder in SystemFolders)
        {
            var info = new DirectoryInfo(folder);
            if (info.LinkTarget is { } target)
            {
                line.AddRange(["--symlink", target, folder]);
            }
            else if (info.Exists)
            {
                line.AddRange(["--ro-bind", folder, folder]);
                mounts.Add(folder, readOnly: true);
            }
        }

        line.AddRange(SecretFiles.Where(File.Exists).SelectMany(file => new[] { "--ro-bind", "/dev/null", file }));
        line.AddRange(SecretFolders.Where(Directory.Exists).SelectMany(folder => new[] { "--tmpfs", folder }));
        foreach (var folder in state.Toolchains)
        {
            line.AddRange(mounts.Parents(folder));
            line.AddRange(["--ro-bind", folder, folder]);
            mounts.Add(folder, readOnly: true);
        }

        // The server's own folders stay hidden even where they lie inside one shown.
        foreach (var folder in state.Hidden.Where(mounts.Shows))
        {
            line.AddRange(["--tmpfs", folder]);
            mounts.Add(folder, readOnly: false);
        }

        foreach (var (folder, readOnly) in sandbox.ReadOnly.Select(f => (f, true)).Concat(sandbox.Writable.Select(f => (f, false))))
        {
            var full = Path.GetFullPath(folder);
            line.AddRange(mounts.Parents(full));
            line.AddRange([readOnly ? "--ro-bind" : "--bind", full, full]);
            mounts.Add(full, readOnly);
        }

        line.AddRange(["--chdir", workingDirectory, "--"]);
        if (IsRoot)
        {
            var id = uid.ToString(CultureInfo.InvariantCulture);
            line.AddRange([state.Setpriv!, $"--reuid={id}", $"--regid={id}", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]);
        }

        return line;
    }

    /// <summary>
    /// Gives the writable folders (recursively, links not followed) to the app's user, with one <c>chown</c>
    /// for all of them. It is <c>chown -R -h</c>, not a walk in this process: the app's processes may still
    /// run and change these folders, and chown descends by open directory handles, so a directory swapped
    /// for a link meanwhile is not followed.
    /// </summary>
    private static void HandOver(IReadOnlyList<string> folders, long uid)
    {
        var owners = string.Create(CultureInfo.InvariantCulture, $"{uid}:{uid}");
        var (exit, output) = Run("chown", ["-R", "-h", owners, .. folders], TimeSpan.FromMinutes(5));
        if (exit != 0)
        {
            throw new InvalidOperationException($"Could not hand {string.Join(", ", folders.Select(Path.GetFileName))} to the app's user: {output}");
        }
    }

    /// <summary>Finds the tools, and runs a sandboxed <c>/bin/sh -c 'exit 0'</c> to see that the sandbox can be made here.</summary>
    private static State Probe(RuntimeOptions options, SlipwayOptions slipway, BuildOptions builds)
    {
        var prlimit = Find("prlimit");
        var bubblewrap = Find(options.Isolation.BubblewrapPath);
        var setpriv = Find("setpriv");
        var hidden = new[] { slipway.FullDataDir, Path.GetFullPath(AppContext.BaseDirectory) }
            .Where(f => !SystemFolders.Any(s => s == f || s.StartsWith(f.TrimEnd('/') + "/", StringComparison.Ordinal)))
            .ToList();
        // The toolchain versions apps ask for run their builds and, from the slug's .profile.d, their processes.
        string?[] versions = [builds.NodeVersionsDir, builds.PythonVersionsDir];
        var toolchains = Toolchains([.. options.Isolation.ReadOnlyPaths, .. versions.Where(v => !string.IsNullOrWhiteSpace(v)).OfType<string>()], hidden);
        if (bubblewrap is null)
        {
            return new State(false, $"bubblewrap was not found ('{options.Isolation.BubblewrapPath}', Slipway:Runtime:Isolation:BubblewrapPath)", prlimit, null, null, [], []);
        }

        if (IsRoot && setpriv is null)
        {
            return new State(false, "setpriv (util-linux) was not found on PATH", prlimit, null, null, [], []);
        }

        var state = new State(true, "", prlimit, bubblewrap, setpriv, toolchains, hidden);
        var probe = Sandbox(state, new ProcessSandbox(Guid.Empty, [], []), "/", options.Isolation.FirstUid);
        var (exit, output) = Run(probe[0], [.. probe.Skip(1), "/bin/sh", "-c", "exit 0"], TimeSpan.FromSeconds(30));
        if (exit != 0)
        {
            return state with { Isolated = false, Description = $"{bubblewrap} could not make a sandbox (exit {exit}: {output.Trim()}); it needs root, or unprivileged user namespaces" };
        }

        var who = IsRoot ? $"each app as its own user (uids from {options.Isolation.FirstUid})" : "as the server's user in a user namespace (not root: no user per app)";
        return state with
        {
            Description = $"bubblewrap ({bubblewrap}), {who}, {(prlimit is null ? "no resource limits (prlimit not found)" : "limits from Slipway:Runtime:Limits")}",
        };
    }

    /// <summary>
    /// The folders of the tools on the server's PATH outside the system's folders (a pyenv, a
    /// cargo, a dotnet in the user's home), the .NET root, and the operator's extra folders; never
    /// the home itself, nor a folder that holds the server's own.
    /// </summary>
    private static List<string> Toolchains(IEnumerable<string> extra, List<string> hidden)
    {
        var home = Environment.GetEnvironmentVariable("HOME") is { Length: > 1 } h ? Path.GetFullPath(h).TrimEnd('/') : null;
        var found = new List<string>();
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        foreach (var entry in path.Where(Path.IsPathRooted).Select(p => Path.GetFullPath(p).TrimEnd('/')))
        {
            if (SystemFolders.Any(s => Within(entry, s)) || !Directory.Exists(entry))
            {
                continue;
            }

            var root = home is not null && entry.StartsWith(home + "/", StringComparison.Ordinal)
                ? Path.Combine(home, entry[(home.Length + 1)..].Split('/')[0])
                : Path.GetFileName(entry) is "bin" or "sbin" or "shims" ? Path.GetDirectoryName(entry)! : entry;
            found.Add(root);
        }

        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } dotnet)
        {
            found.Add(dotnet);
        }

        return found
            .Concat(extra)
            .Select(f => Path.GetFullPath(f).TrimEnd('/'))
            .Where(f => f.Length > 1 && f != home && Directory.Exists(f) && !hidden.Any(x => Within(x, f) || Within(f, x)) && !SystemFolders.Any(s => Within(f, s)))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static bool Within(string path, string folder) => path == folder || path.StartsWith(folder.TrimEnd('/') + "/", StringComparison.Ordinal);

    private static string? Find(string program)
    {
        if (program.Contains('/'))
        {
            return File.Exists(program) ? Path.GetFullPath(program) : null;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin")
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);
    }

    private static (int Exit, string Output) Run(string file, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/" };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return (-1, "timed out");
            }

            return (process.ExitCode, stderr.Result + stdout.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Process isolation is on: {Description}.")]
    private partial void LogIsolated(string description);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Process isolation is OFF: {Reason}; app and build processes run as the server's user, so {Consequence}.")]
    private partial void LogNotIsolated(string reason, string consequence);

    private sealed record State(bool Isolated, string Description, string? Prlimit, string? Bubblewrap, string? Setpriv, List<string> Toolchains, List<string> Hidden);

    /// <summary>
    /// What is mounted so far in a sandbox being described, to create the folders a mount needs
    /// (bubblewrap would make them 0700 as root, which the app's user could not cross).
    /// </summary>
    private sealed class Mounts
    {
        private readonly List<(string Path, bool ReadOnly)> _mounts = [];
        private readonly HashSet<string> _made = new(StringComparer.Ordinal);

        public void Add(string path, bool readOnly) => _mounts.Add((path, readOnly));

        /// <summary>True when <paramref name="path"/> would be seen: inside a read-only mount of the host's folders.</summary>
        public bool Shows(string path) => Deepest(path) is { ReadOnly: true };

        /// <summary>bubblewrap's <c>--dir</c> for each parent of <paramref name="path"/> not already there.</summary>
        public IEnumerable<string> Parents(string path)
        {
            var parents = new List<string>();
            for (var parent = Path.GetDirectoryName(path); parent is not null && parent != "/"; parent = Path.GetDirectoryName(parent))
            {
                parents.Insert(0, parent);
            }

            foreach (var parent in parents)
            {
                var deepest = Deepest(parent);
                if (deepest is { ReadOnly: true } || deepest?.Path == parent || !_made.Add(parent))
                {
                    continue;
                }

                yield return "--perms";
                yield return "0755";
                yield return "--dir";
                yield return parent;
            }
        }

        private (string Path, bool ReadOnly)? Deepest(string path) =>
            _mounts.Where(m => Within(path, m.Path)).OrderByDescending(m => m.Path.Length).Select(m => ((string, bool)?)m).FirstOrDefault();
    }
}
