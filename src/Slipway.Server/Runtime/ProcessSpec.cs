namespace Slipway.Server.Runtime;

/// <summary>
/// Everything needed to start one process, fixed when it is made: the program and its arguments,
/// the folder it runs in and its whole environment (nothing of the server's own is inherited).
/// <see cref="ProcessLauncher"/> starts it.
/// </summary>
public sealed record ProcessSpec(string File, IReadOnlyList<string> Arguments, string WorkingDirectory, IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>How the process is shown (dyno status, logs, errors): the command it was made from, else its program and arguments.</summary>
    public string Command { get; init; } = string.Join(' ', [File, .. Arguments]);

    /// <summary>When set, the process runs in the app's sandbox (<see cref="ProcessIsolation"/>); when null, as the server (git, trusted tools).</summary>
    public ProcessSandbox? Sandbox { get; init; }

    /// <summary>A command line run by <c>/bin/sh -c</c>.</summary>
    public static ProcessSpec Shell(string command, string workingDirectory, IReadOnlyDictionary<string, string> environment) =>
        new("/bin/sh", ["-c", command], workingDirectory, environment) { Command = command };
}

/// <summary>
/// What a sandboxed process of an app sees besides the system's own folders: <see cref="ReadOnly"/>
/// folders (its slug, a buildpack) and <see cref="Writable"/> ones (its home, a build's folders), each
/// at the same path as on the host. It runs as the user of <see cref="AppId"/>.
/// </summary>
public sealed record ProcessSandbox(Guid AppId, IReadOnlyList<string> ReadOnly, IReadOnlyList<string> Writable);
