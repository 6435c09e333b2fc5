using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Slipway.Server;
using Slipway.Server.Runtime;

namespace Slipway.Server.Tests.Runtime;

/// <summary>The supervisor owns its whole process group: what the command forks goes when it goes.</summary>
public sealed class ProcessSupervisorTests
{
    private static readonly ProcessLauncher Launcher = new(
        TimeProvider.System,
        new ProcessIsolation(Options.Create(new RuntimeOptions()), Options.Create(new SlipwayOptions()), Options.Create(new Slipway.Server.Builds.BuildOptions()), NullLogger<ProcessIsolation>.Instance),
        new ProcessRegistry(Options.Create(new SlipwayOptions { DataDir = Directory.CreateTempSubdirectory("slipway-supervisor-").FullName })));

    private static ProcessSpec Spec(string command) => ProcessSpec.Shell(
        command,
        Path.GetTempPath(),
        new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" });

    [Fact]
    public async Task Start_Command_RunsInItsOwnProcessGroup()
    {
        var supervisor = Launcher.Start(Spec("sleep 300 & sleep 300 & wait"), (_, _) => { });
        try
        {
            await Poll.UntilAsync(() => ProcessGroups.Members(supervisor.Pgid).Count >= 3, "the shell and its two children");
            Assert.Contains(supervisor.Pgid, ProcessGroups.Members(supervisor.Pgid));
            Assert.NotEqual(Environment.ProcessId, supervisor.Pgid);
        }
        finally
        {
            await supervisor.StopAsync(TimeSpan.FromSeconds(5));
        }

        Assert.True(ProcessGroups.IsEmpty(supervisor.Pgid));
    }

    [Fact]
    public async Task Stop_GroupIgnoringSigterm_IsKilledAfterTheGracePeriod()
    {
        var supervisor = Launcher.Start(Spec("trap '' TERM; echo ready; sleep 300 & wait"), (_, _) => { });
        await Poll.UntilAsync(() => ProcessGroups.Members(supervisor.Pgid).Count >= 2, "the shell and its child");
        var clock = Stopwatch.StartNew();

        await supervisor.StopAsync(TimeSpan.FromMilliseconds(500));

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(500), $"stopped after {clock.Elapsed}, before the grace period ended");
        Assert.True(ProcessGroups.IsEmpty(supervisor.Pgid));
        Assert.True(supervisor.Exited.IsCompleted);
    }

    [Fact]
    public async Task Start_Output_ReachesTheSinkLineByLine()
    {
        var lines = new List<string>();
        var supervisor = Launcher.Start(Spec("echo one; echo two >&2; exit 4"), (line, _) =>
        {
            lock (lines)
            {
                lines.Add(line);
            }
        });

        var status = await supervisor.Exited;

        Assert.Equal(4, status);
        Assert.Equal(["one", "two"], lines.Order());
    }
}
