using static Slipway.Server.Tests.Runtime.Kubernetes.KubernetesRuntimeTests;

namespace Slipway.Server.Tests.Runtime.Kubernetes;

/// <summary><c>aka logs --tail</c> on Kubernetes: it follows the app's pods as deploys, restarts and scaling replace them.</summary>
public sealed class KubernetesLogsTests(KubernetesServerFixture fixture) : IClassFixture<KubernetesServerFixture>
{
    private StandInKubernetes Kube => fixture.Kube;

    [Fact]
    public async Task Tail_AcrossADeploy_FollowsTheNewPodAndEndsTheOldPodsStream()
    {
        await using var app = await fixture.CreateAppAsync();
        var (ns, first) = await DeployAsync(app);
        using var tail = await TailAsync(app, following: first);

        Kube.WriteLog(ns, first, "before the deploy");
        await tail.UntilAsync($"app[{Dyno(first)}]: before the deploy");

        var next = await app.DeploySucceededAsync(await app.UploadSlugAsync("B", new() { ["web"] = "serve-b" }));
        var second = PodName(ns);
        Assert.NotEqual(first, second);
        await tail.UntilAsync($"app[{Dyno(second)}]: {second} of v{next} listening");
        Kube.WriteLog(ns, second, "after the deploy");
        await tail.UntilAsync($"app[{Dyno(second)}]: after the deploy");
        await Poll.UntilAsync(() => Kube.FollowedPods.SequenceEqual([second]), "the first pod's stream to end and only the new pod to be followed");

        Assert.Contains(Kube.Requests, r => r.StartsWith($"GET /api/v1/namespaces/{ns}/pods?", StringComparison.Ordinal) && r.Contains("watch=true", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tail_WhenScaledUp_FollowsTheNewPods()
    {
        await using var app = await fixture.CreateAppAsync();
        var (ns, first) = await DeployAsync(app);
        using var tail = await TailAsync(app, following: first);

        await app.PatchFormationAsync(new { updates = new[] { new { type = "web", quantity = 3 } } });
        await Poll.UntilAsync(() => Kube.FollowedPods.Count == 3, "the tail to follow the three pods");

        foreach (var pod in Kube.List("pods", ns).Select(p => Str(p, "metadata", "name")))
        {
            Kube.WriteLog(ns, pod, "scaled");
            await tail.UntilAsync($"app[{Dyno(pod)}]: scaled");
        }
    }

    [Fact]
    public async Task Tail_WhenAContainerRestarts_FollowsItsNewRun()
    {
        await using var app = await fixture.CreateAppAsync();
        var (ns, pod) = await DeployAsync(app);
        using var tail = await TailAsync(app, following: pod);

        Kube.RestartContainer(ns, pod);
        Kube.WriteLog(ns, pod, "started again");

        await tail.UntilAsync($"app[{Dyno(pod)}]: started again");
        await Poll.UntilAsync(() => Kube.FollowedPods.SequenceEqual([pod]), "one stream of the pod, its new run's");
    }

    [Fact]
    public async Task Tail_WhenTheApiServerDropsItsStreams_GoesOnAfterTheLastLine()
    {
        await using var app = await fixture.CreateAppAsync();
        var (ns, pod) = await DeployAsync(app);
        using var tail = await TailAsync(app, following: pod);
        Kube.WriteLog(ns, pod, "before the drop");
        await tail.UntilAsync($"app[{Dyno(pod)}]: before the drop");

        var follows = FollowRequests(ns, pod);
        Kube.DropStreams();
        await Poll.UntilAsync(() => FollowRequests(ns, pod) > follows && Kube.FollowedPods.SequenceEqual([pod]), "the tail to follow the pod again");
        Kube.WriteLog(ns, pod, "after the drop");

        await tail.UntilAsync($"app[{Dyno(pod)}]: after the drop");
        Assert.Single(tail.Lines, l => l.EndsWith(": before the drop", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tail_StartedBeforeTheFirstDeploy_FollowsThePodsItBrings()
    {
        await using var app = await fixture.CreateAppAsync();
        using var tail = await TailAsync(app, following: null);

        var version = await app.DeploySucceededAsync(await app.UploadSlugAsync("A", new() { ["web"] = "serve" }));
        var pod = PodName($"slipway-{app.Key}");

        await tail.UntilAsync($"app[{Dyno(pod)}]: {pod} of v{version} listening");
    }

    /// <summary>Deploys a slug with one web process and answers the app's namespace and its pod.</summary>
    private async Task<(string Ns, string Pod)> DeployAsync(RuntimeApp app)
    {
        await app.DeploySucceededAsync(await app.UploadSlugAsync("A", new() { ["web"] = "serve-a" }));
        var ns = $"slipway-{app.Key}";
        return (ns, PodName(ns));
    }

    /// <summary>Starts <c>aka logs --tail</c>'s request and, with a pod, waits until the runtime follows that pod.</summary>
    private async Task<LogTail> TailAsync(RuntimeApp app, string? following)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Poll.Default);
        var response = await app.Api.GetAsync($"/apps/{app.Key}/log-sessions?lines=0&tail=true", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        response.EnsureSuccessStatusCode();
        var tail = new LogTail(response, new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token)), timeout);
        if (following is not null)
        {
            await Poll.UntilAsync(() => Kube.FollowedPods.SequenceEqual([following]), $"the tail to follow {following}");
        }

        return tail;
    }

    private int FollowRequests(string ns, string pod) =>
        Kube.Requests.Count(r => r.StartsWith($"GET /api/v1/namespaces/{ns}/pods/{pod}/log?", StringComparison.Ordinal) && r.Contains("follow=true", StringComparison.Ordinal));

    private string PodName(string ns) => Str(Kube.List("pods", ns).Single(), "metadata", "name");

    /// <summary>The dyno name <c>aka ps</c> and the log give a pod: <c>web.</c> and the pod name's last part.</summary>
    private static string Dyno(string pod) => "web." + pod[(pod.LastIndexOf('-') + 1)..];

    /// <summary>A followed log session, read line by line until an expected line comes (or the test's deadline passes).</summary>
    private sealed class LogTail(HttpResponseMessage response, StreamReader reader, CancellationTokenSource timeout) : IDisposable
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines => _lines;

        public async Task UntilAsync(string expected)
        {
            while (!_lines.Any(l => l.EndsWith(expected, StringComparison.Ordinal)))
            {
                string? line;
                try
                {
                    line = await reader.ReadLineAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    line = null;
                }

                Assert.True(line is not null, $"The log ended or timed out before '{expected}'; it had:\n{string.Join('\n', _lines)}");
                _lines.Add(line);
            }
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
            timeout.Dispose();
        }
    }
}
