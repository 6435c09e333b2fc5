using System.Net;
using System.Net.Http.Headers;
using Slipway.Contracts;
using Slipway.Server.Tests.Runtime;

namespace Slipway.Server.Tests.Builds;

/// <summary>
/// Live output, resuming it, cancelling and the queue, with a buildpack that prints, then waits
/// for a gate file that the test creates, then prints more. Nothing here sleeps blindly: each
/// step waits for a line of output or for the build's end.
/// </summary>
public sealed class BuildControlTests(SqliteServerFixture fixture, ArchiveServer archives) : IClassFixture<SqliteServerFixture>, IClassFixture<ArchiveServer>
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    private readonly SlipwayApi _api = fixture.Api;

    private SlipwayTestServer Server => fixture.Server;

    [Fact]
    public async Task Output_WhileTheBuildRuns_StreamsEachLineAsItComes()
    {
        var (app, gate) = await GatedAppAsync();
        var build = await _api.StartBuildAsync(app, Source());
        using var cancel = new CancellationTokenSource(Patience);
        using var client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };

        using var response = await client.GetAsync(build.OutputStreamUrl, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
        var before = await ReadUntilAsync(reader, "-----> before the gate", cancel.Token);
        var pending = await _api.GetBuildAsync(app, build.Id.ToString());
        File.WriteAllText(gate, "open");
        var after = await reader.ReadToEndAsync(cancel.Token);

        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("pending", pending.Status);
        Assert.StartsWith("-----> Building ", before[0]);
        Assert.DoesNotContain(before, l => l.Contains("after the gate", StringComparison.Ordinal));
        Assert.Contains("-----> after the gate\n", after);
        Assert.EndsWith("-----> Build succeeded\n", after);
        Assert.Equal("succeeded", (await _api.GetBuildAsync(app, build.Id.ToString())).Status);
    }

    [Fact]
    public async Task Output_EventStream_ResumesAfterLastEventIdAndEndsWithStatus()
    {
        var (app, gate) = await GatedAppAsync();
        var build = await _api.StartBuildAsync(app, Source());
        using var cancel = new CancellationTokenSource(Patience);
        using var client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };

        string lastId;
        using (var first = await OpenEventStreamAsync(client, build.OutputStreamUrl, null, cancel.Token))
        {
            Assert.Equal("text/event-stream", first.Content.Headers.ContentType?.MediaType);
            using var reader = new StreamReader(await first.Content.ReadAsStreamAsync(cancel.Token));
            var lines = await ReadUntilAsync(reader, "data: -----> before the gate", cancel.Token);
            lastId = lines[^2]["id: ".Length..];
        }

        using var resumed = await OpenEventStreamAsync(client, build.OutputStreamUrl, lastId, cancel.Token);
        var body = resumed.Content.ReadAsStringAsync(cancel.Token);
        File.WriteAllText(gate, "open");
        var events = await body;

        var next = int.Parse(lastId, System.Globalization.CultureInfo.InvariantCulture) + 1;
        Assert.StartsWith($"id: {next}\ndata: -----> after the gate\n\n", events);
        Assert.DoesNotContain("before the gate", events);
        Assert.EndsWith("event: end\ndata: succeeded\n\n", events);

        var tail = await _api.Http.GetStringAsync($"/apps/{app}/builds/{build.Id}/output?offset={next - 1}");
        Assert.StartsWith("-----> after the gate\n", tail);
    }

    [Fact]
    public async Task Cancel_RunningBuild_KillsItsWholeProcessGroup()
    {
        var app = (await _api.CreateAppAsync()).Name;
        // The step runs in its sandbox (its own PID namespace): the test finds the sleeper by its unique duration.
        var seconds = $"3{Random.Shared.Next(100_000, 999_999)}";
        var buildpack = Server.WriteBuildpack(new Dictionary<string, string>
        {
            ["compile"] = """
                echo "-----> starting a long step"
                sleep "$(cat "$3/SLEEP_SECONDS")" &
                echo "-----> waiting"
                wait
                echo "-----> never printed"
                """,
        });
        await _api.SetConfigAsync(app, new Dictionary<string, string> { ["BUILDPACK_URL"] = buildpack, ["SLEEP_SECONDS"] = seconds });
        var build = await _api.StartBuildAsync(app, Source());
        using var cancel = new CancellationTokenSource(Patience);
        using var client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var stream = await client.GetAsync(build.OutputStreamUrl, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(cancel.Token));
        await ReadUntilAsync(reader, "-----> waiting", cancel.Token);
        var sleeper = 0;
        await Poll.UntilAsync(() => (sleeper = HostProcesses.PidOf($"sleep\0{seconds}\0")) > 0, "the build's sleep to show on the host");
        Assert.True(HostProcesses.IsAlive(sleeper));

        var accepted = await SlipwayApi.ReadAsync<BuildResponse>(await _api.Http.DeleteAsync($"/apps/{app}/builds/{build.Id}"), HttpStatusCode.Accepted);
        var rest = await reader.ReadToEndAsync(cancel.Token);

        var ended = await _api.GetBuildAsync(app, build.Id.ToString());
        Assert.Equal(build.Id, accepted.Id);
        Assert.Equal("failed", ended.Status);
        Assert.Equal("Cancelled by admin@slipway.local.", ended.FailureReason);
        Assert.DoesNotContain("never printed", rest);
        Assert.Contains(" !     Cancelled by admin@slipway.local.", rest);
        Assert.Null(ended.Release);
        Assert.Equal(["Set BUILDPACK_URL, SLEEP_SECONDS config vars"], (await _api.ListReleasesAsync(app)).Select(r => r.Description));
        await WaitUntilDeadAsync(sleeper, cancel.Token);
        Server.AssertNoBuildLeftovers();
        var again = await _api.Http.DeleteAsync($"/apps/{app}/builds/{build.Id}");
        Assert.Contains("already failed", await SlipwayApi.ProblemAsync(again, HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task Queue_WithBothSlotsBusy_HoldsTheThirdUntilCancelledThere()
    {
        var (app, gate) = await GatedAppAsync();
        using var cancel = new CancellationTokenSource(Patience);
        using var client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var running = new List<(BuildResponse Build, StreamReader Reader)>();
        for (var i = 0; i < 2; i++)
        {
            var started = await _api.StartBuildAsync(app, Source());
            var reader = new StreamReader(await client.GetStreamAsync(started.OutputStreamUrl, cancel.Token));
            await ReadUntilAsync(reader, "-----> before the gate", cancel.Token);
            running.Add((started, reader));
        }

        var queued = await _api.StartBuildAsync(app, Source());
        var waiting = await SlipwayApi.ReadAsync<BuildResultResponse>(await _api.Http.GetAsync($"/apps/{app}/builds/{queued.Id}/result"), HttpStatusCode.OK);
        var cancelled = await SlipwayApi.ReadAsync<BuildResponse>(await _api.Http.DeleteAsync($"/apps/{app}/builds/{queued.Id}"), HttpStatusCode.Accepted);
        File.WriteAllText(gate, "open");
        foreach (var (_, reader) in running)
        {
            await reader.ReadToEndAsync(cancel.Token);
            reader.Dispose();
        }

        Assert.Empty(waiting.Lines);
        Assert.Null(waiting.ExitCode);
        Assert.Equal("failed", cancelled.Status);
        Assert.Equal("Cancelled by admin@slipway.local.", cancelled.FailureReason);
        var result = await SlipwayApi.ReadAsync<BuildResultResponse>(await _api.Http.GetAsync($"/apps/{app}/builds/{queued.Id}/result"), HttpStatusCode.OK);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(" !     Cancelled by admin@slipway.local.", Assert.Single(result.Lines).Line);
        foreach (var (build, _) in running)
        {
            Assert.Equal("succeeded", (await _api.GetBuildAsync(app, build.Id.ToString())).Status);
        }
    }

    /// <summary>An app whose builds use the gate buildpack; the gate opens when the returned file exists.</summary>
    private async Task<(string App, string Gate)> GatedAppAsync()
    {
        var app = (await _api.CreateAppAsync()).Name;
        var buildpack = Server.WriteBuildpack(GateBuildpack);
        var gate = GateIn(buildpack);
        await _api.SetConfigAsync(app, new Dictionary<string, string> { ["BUILDPACK_URL"] = buildpack, ["GATE"] = gate });
        return (app, gate);
    }

    /// <summary>
    /// Where a test opens the gate of <see cref="GateBuildpack"/>: in the buildpack's own folder,
    /// the one folder of the data folder that the sandboxed bin/compile sees besides its build.
    /// </summary>
    public static string GateIn(string buildpack) => Path.Combine(buildpack, "gate");

    public static IReadOnlyDictionary<string, string> GateBuildpack { get; } = new Dictionary<string, string>
    {
        ["detect"] = "echo Gated",
        ["compile"] = """
            echo "-----> before the gate"
            gate="$(cat "$3/GATE")"
            while [ ! -e "$gate" ]; do sleep 0.05; done
            echo "-----> after the gate"
            """,
    };

    /// <summary>A distinct source each time, so that no build reuses another's slug.</summary>
    private string Source() => archives.Serve(Archives.TarGz([new ArchiveFile("id.txt", SlipwayApi.Unique())]));

    private static async Task<HttpResponseMessage> OpenEventStreamAsync(HttpClient client, string url, string? lastEventId, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }

    /// <summary>Reads lines until one equals <paramref name="line"/>; answers every line read, that one last.</summary>
    public static async Task<List<string>> ReadUntilAsync(StreamReader reader, string line, CancellationToken ct)
    {
        var lines = new List<string>();
        while (await reader.ReadLineAsync(ct) is { } read)
        {
            lines.Add(read);
            if (read == line)
            {
                return lines;
            }
        }

        throw new Xunit.Sdk.XunitException($"The output ended before '{line}':\n{string.Join('\n', lines)}");
    }

    private static async Task WaitUntilDeadAsync(int pid, CancellationToken ct)
    {
        // SIGKILL is delivered at once, but the kernel tears the process down asynchronously.
        while (HostProcesses.IsAlive(pid))
        {
            await Task.Delay(20, ct);
        }
    }
}

/// <summary>A build that outlives <c>Slipway:Builds:Timeout</c> is stopped and fails with that reason.</summary>
public sealed class BuildTimeoutTests(BuildTimeoutTests.ShortTimeoutServerFixture fixture, ArchiveServer archives) : IClassFixture<BuildTimeoutTests.ShortTimeoutServerFixture>, IClassFixture<ArchiveServer>
{
    [Fact]
    public async Task Build_LongerThanTheTimeout_IsStoppedAndFails()
    {
        var api = fixture.Api;
        var app = (await api.CreateAppAsync()).Name;
        var buildpack = fixture.Server.WriteBuildpack(BuildControlTests.GateBuildpack);
        await api.SetConfigAsync(app, new Dictionary<string, string> { ["BUILDPACK_URL"] = buildpack, ["GATE"] = "/nonexistent/never" });

        var (build, output) = await api.BuildAsync(app, archives.Serve(Archives.TarGz([new ArchiveFile("a.txt", "a")])));

        Assert.Equal("failed", build.Status);
        Assert.Equal("The build took longer than 00:00:02 (Slipway:Builds:Timeout) and was stopped.", build.FailureReason);
        Assert.Contains("-----> before the gate", output);
        fixture.Server.AssertNoBuildLeftovers();
    }

    public sealed class ShortTimeoutServerFixture : SlipwayServerFixture
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?> { ["Slipway:Builds:Timeout"] = "00:00:02" };
    }
}
