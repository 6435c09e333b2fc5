using Slipway.Server.Tests.Runtime;

namespace Slipway.Server.Tests.Builds;

/// <summary>
/// The runtime's server with folders of toolchain versions (<c>Slipway:Builds:NodeVersionsDir</c>,
/// <c>PythonVersionsDir</c>) holding one version this machine does not have each: node
/// <see cref="StandInNode"/> and Python <see cref="StandInPython"/>. They are stand-ins (the
/// network reaches no toolchain downloads): a script that answers that version to <c>--version</c>
/// (node) and runs this machine's own node or python3 with <c>SLIPWAY_TEST_TOOLCHAIN</c> set, so a
/// process shows which toolchain started it.
/// </summary>
public sealed class BuildpackServerFixture : RuntimeServerFixture
{
    public const string StandInNode = "16.20.2";
    public const string StandInPython = "3.11.99";

    private readonly string _toolchains = Path.Combine(Path.GetTempPath(), "slipway-toolchains-" + Guid.NewGuid().ToString("N")[..10]);

    /// <summary>Where tests keep the wheels pip installs from: an operator's extra read-only folder (<c>Slipway:Runtime:Isolation:ReadOnlyPaths</c>), so builds see it.</summary>
    public string Wheelhouses => Path.Combine(_toolchains, "wheels");

    protected override IReadOnlyDictionary<string, string?> Settings => base.Settings.With(new Dictionary<string, string?>
    {
        ["Slipway:Builds:NodeVersionsDir"] = Path.Combine(_toolchains, "node"),
        ["Slipway:Builds:PythonVersionsDir"] = Path.Combine(_toolchains, "python"),
        ["Slipway:Runtime:Isolation:ReadOnlyPaths:0"] = Wheelhouses,
    });

    protected override async Task StartDependenciesAsync()
    {
        Own(new FolderRemoval(_toolchains));
        Directory.CreateDirectory(Wheelhouses);
        var node = (await TestTools.RunAsync("node", ["-p", "process.execPath"], "/")).Trim();
        var python = (await TestTools.RunAsync("python3", ["-c", "import sys; print(sys.executable)"], "/")).Trim();
        WriteScript(Path.Combine(_toolchains, "node", StandInNode, "bin", "node"), $"""
            if [ "$1" = --version ] || [ "$1" = -v ]; then echo v{StandInNode}; exit 0; fi
            SLIPWAY_TEST_TOOLCHAIN="node {StandInNode}" exec {node} "$@"
            """);
        WriteScript(Path.Combine(_toolchains, "python", StandInPython, "bin", "python3"), $"""
            SLIPWAY_TEST_TOOLCHAIN="python {StandInPython}" exec {python} "$@"
            """);
    }

    private static void WriteScript(string path, string body)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, (UnixFileMode)0x1ED);
    }

    private sealed class FolderRemoval(string folder) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            return ValueTask.CompletedTask;
        }
    }
}
