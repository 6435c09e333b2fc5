using Slipway.Server.Tests.Runtime;

namespace Slipway.Server.Tests.Cluster;

/// <summary>Build steps are recorded like app processes: what a build left when its server was killed is stopped when it starts again.</summary>
public sealed class BuildLeftoversTests(ArchiveServer archives) : IClassFixture<ArchiveServer>
{
    [Fact]
    public async Task ServerKilledMidBuild_StartedAgain_StopsTheBuildsProcessesAndFailsTheBuild()
    {
        var dataDir = Directory.CreateTempSubdirectory("slipway-build-leftovers-").FullName;
        int apiPort = ServerProcess.FreePort(), routerPort = ServerProcess.FreePort();
        var settings = new Dictionary<string, string?> { ["Slipway:Builds:AllowPrivateSources"] = "true" };

        // The step runs in its sandbox (its own PID namespace): the test finds the sleeper by its unique duration.
        var seconds = $"3{Random.Shared.Next(100_000, 999_999)}";
        var buildpack = WriteBuildpack(dataDir, """
            echo "-----> starting a long step"
            sleep "$(cat "$3/SLEEP_SECONDS")" &
            echo "-----> waiting"
            wait
            """);
        var sleeper = 0;
        try
        {
            string app, buildId;
            await using (var first = await ServerProcess.StartAsync(dataDir, apiPort, routerPort, settings))
            {
                using var api = first.Api();
                app = (await api.CreateAppAsync()).Name;
                await api.SetConfigAsync(app, new Dictionary<string, string> { ["BUILDPACK_URL"] = buildpack, ["SLEEP_SECONDS"] = seconds });
                var build = await api.StartBuildAsync(app, archives.Serve(Archives.TarGz([new ArchiveFile("id.txt", SlipwayApi.Unique())])));
                buildId = build.Id.ToString();
                await Poll.UntilAsync(() => (sleeper = HostProcesses.PidOf($"sleep\0{seconds}\0")) > 0, "the build's sleep to show on the host");

                await first.KillAsync();
            }

            Assert.True(HostProcesses.IsAlive(sleeper), "the killed server's build step is still running");

            await using var second = await ServerProcess.StartAsync(dataDir, apiPort, routerPort, settings);
            using var again = second.Api();
            await Poll.UntilAsync(() => !HostProcesses.IsAlive(sleeper), "the leftover build step to be stopped");
            var ended = await Poll.UntilAsync(
                () => again.GetBuildAsync(app, buildId),
                b => b.Status != "pending",
                b => $"the build is still {b.Status}");
            Assert.Equal("failed", ended.Status);
            Assert.Equal("The server stopped before this build finished.", ended.FailureReason);
        }
        finally
        {
            if (sleeper > 0 && HostProcesses.IsAlive(sleeper))
            {
                using var leftover = System.Diagnostics.Process.GetProcessById(sleeper);
                leftover.Kill();
            }

            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static string WriteBuildpack(string dataDir, string compile)
    {
        var dir = Path.Combine(dataDir, "test-buildpacks", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(dir, "bin"));
        foreach (var (name, body) in new Dictionary<string, string> { ["detect"] = "echo Leftover", ["compile"] = compile })
        {
            var path = Path.Combine(dir, "bin", name);
            File.WriteAllText(path, "#!/usr/bin/env bash\nset -eu\n" + body + "\n");
            File.SetUnixFileMode(path, (UnixFileMode)0x1ED);
        }

        return dir;
    }
}
