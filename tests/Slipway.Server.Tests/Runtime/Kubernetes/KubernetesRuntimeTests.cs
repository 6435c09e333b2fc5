using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Slipway.Contracts;

namespace Slipway.Server.Tests.Runtime.Kubernetes;

/// <summary>The Kubernetes runtime driven through the real API and deployer, against the stand-in API server.</summary>
public sealed class KubernetesRuntimeTests(KubernetesServerFixture fixture) : IClassFixture<KubernetesServerFixture>
{
    private StandInKubernetes Kube => fixture.Kube;

    [Fact]
    public async Task Deploy_CreatesSecretDeploymentPerTypeAndWebService()
    {
        await using var app = await fixture.CreateAppAsync();
        var config = await app.SetConfigAsync(new() { ["GREETING"] = "hello", ["DATABASE_URL"] = "postgres://db/app" });
        var bytes = TestSlug.Build("A");
        var slug = await app.UploadSlugAsync("A", new() { ["web"] = "python3 app.py serve", ["worker"] = "python3 app.py worker" }, bytes);
        var version = await app.DeploySucceededAsync(slug);

        var ns = $"slipway-{app.Key}";
        var appId = (await app.Api.GetFromJsonAsync<AppResponse>($"/apps/{app.Key}", SlipwayJson.Options))!.Id.ToString();
        Assert.Equal(appId, Kube.Get("namespaces", "", ns)!["metadata"]!["labels"]!["slipway.io/app-id"]!.GetValue<string>());

        var secret = Kube.Get("secrets", ns, $"{app.Key}-v{version}-env")!;
        Assert.Equal("Opaque", Str(secret, "type"));
        Assert.Equal(new Dictionary<string, string> { ["DATABASE_URL"] = "postgres://db/app", ["GREETING"] = "hello" }, SecretData(secret));
        Assert.Equal(version.ToString(System.Globalization.CultureInfo.InvariantCulture), Str(secret, "metadata", "labels", "slipway.io/release-version"));
        Assert.Single(Kube.List("secrets", ns));

        var web = Kube.Get("deployments", ns, $"{app.Key}-web")!;
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["slipway.io/app"] = app.Key,
                ["slipway.io/app-id"] = appId,
                ["slipway.io/release-version"] = $"{version}",
                ["slipway.io/process-type"] = "web",
                ["app.kubernetes.io/managed-by"] = "slipway",
            },
            Map(web["spec"]!["template"]!["metadata"]!["labels"]));
        Assert.Equal(1, web["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(new Dictionary<string, string> { ["slipway.io/app-id"] = appId, ["slipway.io/process-type"] = "web" }, Map(web["spec"]!["selector"]!["matchLabels"]));
        var container = web["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("web", Str(container, "name"));
        Assert.Equal("registry.example.com/slipway/slugrunner:1", Str(container, "image"));
        var command = container["command"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        Assert.Equal(["/bin/sh", "-c"], command[..2]);
        Assert.Equal("python3 app.py serve", command[^1]);
        Assert.Equal($"{app.Key}-v{version}-env", Str(container, "envFrom", "0", "secretRef", "name"));
        var env = Env(container);
        Assert.Equal("5000", env["PORT"]);
        Assert.Equal("$(SLIPWAY_POD_NAME)", env["DYNO"]);
        Assert.Equal("web", env["SLIPWAY_PROCESS_TYPE"]);
        Assert.Equal(app.Key, env["SLIPWAY_APP"]);
        Assert.Equal($"v{version}", env["SLIPWAY_RELEASE_VERSION"]);
        var digest = Archives.Checksum(bytes)["SHA256:".Length..];
        Assert.StartsWith($"{KubernetesServerFixture.PublicUrl}/slug-blobs/{digest}?expires=", env["SLUG_URL"], StringComparison.Ordinal);
        Assert.Equal("metadata.name", Str(container, "env", "0", "valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal(5000, container["readinessProbe"]!["tcpSocket"]!["port"]!.GetValue<int>());
        AssertLockedDown(web["spec"]!["template"]!);

        var worker = Kube.Get("deployments", ns, $"{app.Key}-worker")!;
        Assert.Equal(0, worker["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("python3 app.py worker", worker["spec"]!["template"]!["spec"]!["containers"]![0]!["command"]!.AsArray()[^1]!.GetValue<string>());
        Assert.False(Env(worker["spec"]!["template"]!["spec"]!["containers"]![0]!).ContainsKey("HOST"));

        var service = Kube.Get("services", ns, $"{app.Key}-web")!;
        Assert.Equal(new Dictionary<string, string> { ["slipway.io/app-id"] = appId, ["slipway.io/process-type"] = "web" }, Map(service["spec"]!["selector"]));
        Assert.Equal(80, service["spec"]!["ports"]![0]!["port"]!.GetValue<int>());
        Assert.Equal(5000, service["spec"]!["ports"]![0]!["targetPort"]!.GetValue<int>());
        Assert.Empty(Kube.List("ingresses", ns));
        Assert.True(config < version);
    }

    [Fact]
    public async Task SlugUrl_ServesTheSlugUntilTampered()
    {
        await using var app = await fixture.CreateAppAsync();
        var bytes = TestSlug.Build("signed");
        await app.DeploySucceededAsync(await app.UploadSlugAsync("signed", new() { ["web"] = "python3 app.py serve" }, bytes));
        var url = Env(Kube.Get("deployments", $"slipway-{app.Key}", $"{app.Key}-web")!["spec"]!["template"]!["spec"]!["containers"]![0]!)["SLUG_URL"];
        var local = fixture.Server.BaseAddress + url[(KubernetesServerFixture.PublicUrl.Length + 1)..];

        using var anonymous = fixture.Server.Client(token: null);
        Assert.Equal(bytes, await anonymous.GetByteArrayAsync(local));
        var tampered = await anonymous.GetAsync(local[..^1] + (local[^1] == '0' ? '1' : '0'));
        Assert.Equal(HttpStatusCode.NotFound, tampered.StatusCode);
        var expired = await anonymous.GetAsync(local.Replace("expires=", "expires=1", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, expired.StatusCode);
    }

    /// <summary>
    /// The pod's boot script for real, on this machine (with <c>/app</c> moved to a temporary folder):
    /// it fetches the slug from its signed URL, unpacks it, sources <c>.profile.d</c> and runs the command.
    /// </summary>
    [Fact]
    public async Task BootScript_FetchesTheSlugAndRunsTheProcfileCommand()
    {
        await using var app = await fixture.CreateAppAsync();
        var bytes = TestSlug.Build("booted", [TestSlug.File("./app/.profile.d/path.sh", "export FROM_PROFILE=profiled\n")]);
        await app.SetConfigAsync(new() { ["GREETING"] = "hi" });
        await app.DeploySucceededAsync(await app.UploadSlugAsync("booted", new() { ["web"] = "echo \"$(cat MARK) $GREETING $FROM_PROFILE $PWD\"" }, bytes));
        var container = Kube.Get("deployments", $"slipway-{app.Key}", $"{app.Key}-web")!["spec"]!["template"]!["spec"]!["containers"]![0]!;
        var command = container["command"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        var slugUrl = Env(container)["SLUG_URL"];
        var home = Directory.CreateTempSubdirectory("slipway-boot-").FullName;
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in command.Skip(1))
            {
                start.ArgumentList.Add(arg.Replace("/app", home, StringComparison.Ordinal));
            }

            start.Environment["SLUG_URL"] = fixture.Server.BaseAddress + slugUrl[(KubernetesServerFixture.PublicUrl.Length + 1)..];
            start.Environment["GREETING"] = "hi";
            using var process = System.Diagnostics.Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();

            Assert.True(process.ExitCode == 0, await process.StandardError.ReadToEndAsync());
            Assert.Equal($"booted hi profiled {home}\n", output);
            Assert.True(File.Exists(Path.Combine(home, "app.py")));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public async Task Rollback_PutsTheTargetsSlugAndConfigBackOnTheDeployment()
    {
        await using var app = await fixture.CreateAppAsync();
        await app.SetConfigAsync(new() { ["GREETING"] = "one" });
        var bytesA = TestSlug.Build("A");
        var first = await app.DeploySucceededAsync(await app.UploadSlugAsync("A", new() { ["web"] = "serve-a" }, bytesA));
        await app.SetConfigAsync(new() { ["GREETING"] = "two" });
        await app.DeploySucceededAsync(await app.UploadSlugAsync("B", new() { ["web"] = "serve-b" }));

        var rollback = await app.RollbackAsync(first);
        Assert.Equal("succeeded", (await app.SettledAsync(rollback.Version)).Status);

        var ns = $"slipway-{app.Key}";
        var web = Kube.Get("deployments", ns, $"{app.Key}-web")!;
        var container = web["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal($"{rollback.Version}", Str(web, "spec", "template", "metadata", "labels", "slipway.io/release-version"));
        Assert.Equal("serve-a", container["command"]!.AsArray()[^1]!.GetValue<string>());
        Assert.Contains($"/slug-blobs/{Archives.Checksum(bytesA)["SHA256:".Length..]}?", Env(container)["SLUG_URL"], StringComparison.Ordinal);
        Assert.Equal($"{app.Key}-v{rollback.Version}-env", Str(container, "envFrom", "0", "secretRef", "name"));
        Assert.Equal(new Dictionary<string, string> { ["GREETING"] = "one" }, SecretData(Kube.Get("secrets", ns, $"{app.Key}-v{rollback.Version}-env")!));
        Assert.Equal([$"{app.Key}-v{rollback.Version}-env"], Kube.List("secrets", ns).Select(s => Str(s, "metadata", "name")));

        var pods = Kube.List("pods", ns);
        Assert.Single(pods);
        Assert.Equal($"{rollback.Version}", Str(pods[0], "metadata", "labels", "slipway.io/release-version"));
        Assert.Equal(4, Kube.List("replicasets", ns).Count);
    }

    [Fact]
    public async Task Scale_PatchesReplicasAndDynosListThePods()
    {
        await using var app = await fixture.CreateAppAsync();
        var version = await app.DeploySucceededAsync(await app.UploadSlugAsync("A", new() { ["web"] = "serve", ["worker"] = "work" }));
        var ns = $"slipway-{app.Key}";
        var before = Kube.Requests.Count;

        var response = await app.PatchFormationAsync(new { updates = new[] { new { type = "web", quantity = 3 }, new { type = "worker", quantity = 2 } } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Poll.UntilAsync(() => Kube.List("pods", ns).Count == 5, "5 pods");

        Assert.Equal(3, Kube.Get("deployments", ns, $"{app.Key}-web")!["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(2, Kube.Get("deployments", ns, $"{app.Key}-worker")!["spec"]!["replicas"]!.GetValue<int>());
        var writes = Kube.Requests.Skip(before).Where(r => !r.StartsWith("GET", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                $"PATCH /apis/apps/v1/namespaces/{ns}/deployments/{app.Key}-web application/merge-patch+json; charset=utf-8",
                $"PATCH /apis/apps/v1/namespaces/{ns}/deployments/{app.Key}-worker application/merge-patch+json; charset=utf-8",
            ],
            writes);

        var dynos = await app.DynosAsync();
        Assert.Equal(5, dynos.Count);
        Assert.Equal(["web", "web", "web", "worker", "worker"], dynos.Select(d => d.Type));
        Assert.All(dynos, d => Assert.Equal("up", d.State));
        Assert.All(dynos, d => Assert.Equal(version, d.ReleaseVersion));
        Assert.All(dynos, d => Assert.Matches(@"^(web|worker)\.[a-z0-9]{5}$", d.Name));
        Assert.Equal("serve", dynos[0].Command);
    }

    [Fact]
    public async Task FailedRollout_FailsTheReleaseAndRollsTheDeploymentBack()
    {
        await using var app = await fixture.CreateAppAsync();
        var bytesA = TestSlug.Build("A");
        var good = await app.DeploySucceededAsync(await app.UploadSlugAsync("A", new() { ["web"] = "serve-a" }, bytesA));
        var ns = $"slipway-{app.Key}";
        var goodTemplate = Kube.Get("deployments", ns, $"{app.Key}-web")!["spec"]!["template"]!.DeepClone();
        var goodPod = Str(Kube.List("pods", ns).Single(), "metadata", "name");

        Kube.RolloutFor = d => Str(d, "metadata", "namespace") == ns && Str(d, "spec", "template", "metadata", "labels", "slipway.io/release-version") != $"{good}"
            ? Rollout.Stall
            : Rollout.Succeed;
        try
        {
            var bad = await app.DeployAsync(await app.UploadSlugAsync("B", new() { ["web"] = "serve-b", ["worker"] = "work-b" }));
            var settled = await app.SettledAsync(bad.Version);

            Assert.Equal("failed", settled.Status);
            Assert.Contains("ProgressDeadlineExceeded", settled.FailureReason, StringComparison.Ordinal);
            var web = Kube.Get("deployments", ns, $"{app.Key}-web")!;
            var template = web["spec"]!["template"]!;
            Assert.Equal($"{good}", Str(template, "metadata", "labels", "slipway.io/release-version"));
            Assert.Equal("serve-a", template["spec"]!["containers"]![0]!["command"]!.AsArray()[^1]!.GetValue<string>());
            Assert.Equal($"{app.Key}-v{good}-env", Str(template, "spec", "containers", "0", "envFrom", "0", "secretRef", "name"));
            Assert.True(JsonNode.DeepEquals(goodTemplate, template), "the Deployment's template is the previous one");
            Assert.Null(Kube.Get("deployments", ns, $"{app.Key}-worker"));
            Assert.Null(Kube.Get("secrets", ns, $"{app.Key}-v{bad.Version}-env"));
            Assert.NotNull(Kube.Get("secrets", ns, $"{app.Key}-v{good}-env"));
            Assert.Equal(goodPod, Str(Kube.List("pods", ns).Single(p => Str(p, "metadata", "labels", "slipway.io/release-version") == $"{good}"), "metadata", "name"));
            Assert.Equal(1, web["status"]!["availableReplicas"]!.GetValue<int>());
            Assert.Equal(3, web["metadata"]!["generation"]!.GetValue<long>());
        }
        finally
        {
            Kube.RolloutFor = _ => Rollout.Succeed;
        }
    }

    [Fact]
    public async Task Release_StaysPendingWhileTheRolloutRuns_ThenSucceeds()
    {
        await using var app = await fixture.CreateAppAsync();
        var first = await app.DeploySucceededAsync(await app.UploadSlugAsync("A", new() { ["web"] = "serve-a" }));
        var ns = $"slipway-{app.Key}";
        var oldPod = Str(Kube.List("pods", ns).Single(), "metadata", "name");
        Kube.RolloutFor = d => Str(d, "metadata", "namespace") == ns ? Rollout.Hold : Rollout.Succeed;
        try
        {
            var next = await app.DeployAsync(await app.UploadSlugAsync("B", new() { ["web"] = "serve-b" }));
            await Poll.UntilAsync(() => Kube.Get("deployments", ns, $"{app.Key}-web") is { } d && Str(d, "metadata", "labels", "slipway.io/release-version") == $"{next.Version}", "the new template");
            var polls = Kube.Requests.Count(r => r.StartsWith($"GET /apis/apps/v1/namespaces/{ns}/deployments/{app.Key}-web", StringComparison.Ordinal));
            await Poll.UntilAsync(() => Kube.Requests.Count(r => r.StartsWith($"GET /apis/apps/v1/namespaces/{ns}/deployments/{app.Key}-web", StringComparison.Ordinal)) > polls + 3, "the runtime to poll the rollout");

            Assert.Equal("pending", (await app.ReleaseAsync(next.Version)).Status);
            Assert.Equal([oldPod], Kube.List("pods", ns).Select(p => Str(p, "metadata", "name")));

            Kube.Finish(ns, $"{app.Key}-web", Rollout.Succeed);

            Assert.Equal("succeeded", (await app.SettledAsync(next.Version)).Status);
            Assert.Equal($"{next.Version}", Str(Kube.List("pods", ns).Single(), "metadata", "labels", "slipway.io/release-version"));
            Assert.Equal("succeeded", (await app.ReleaseAsync(first)).Status);
        }
        finally
        {
            Kube.RolloutFor = _ => Rollout.Succeed;
        }
    }

    [Fact]
    public async Task ReleasePhase_RunsAsAJobBeforeTheDeployments()
    {
        await using var app = await fixture.CreateAppAsync();
        var ns = $"slipway-{app.Key}";
        Kube.JobFor = j => new JobRun(0, "migrated " + Str(j, "metadata", "name"));
        try
        {
            var version = await app.DeploySucceededAsync(await app.UploadSlugAsync("A", new() { ["web"] = "serve", ["release"] = "migrate --all" }));
            var job = Kube.Get("jobs", ns, $"{app.Key}-release-v{version}")!;
            var container = job["spec"]!["template"]!["spec"]!["containers"]![0]!;
            Assert.Equal("release", Str(container, "name"));
            Assert.Equal("migrate --all", container["command"]!.AsArray()[^1]!.GetValue<string>());
            Assert.Equal("Never", Str(job, "spec", "template", "spec", "restartPolicy"));
            Assert.Equal(0, job["spec"]!["backoffLimit"]!.GetValue<int>());
            Assert.False(Env(container).ContainsKey("PORT"));
            AssertLockedDown(job["spec"]!["template"]!);
            Assert.Null(Kube.Get("deployments", ns, $"{app.Key}-release"));
            var output = await app.Api.GetStringAsync($"/apps/{app.Key}/releases/{version}/output");
            Assert.Contains($"migrated {app.Key}-release-v{version}", output, StringComparison.Ordinal);

            var creates = Kube.Requests.Where(r => r.StartsWith("POST", StringComparison.Ordinal) && r.Contains($"/namespaces/{ns}/", StringComparison.Ordinal)).ToList();
            Assert.True(creates.FindIndex(r => r.Contains("/jobs", StringComparison.Ordinal)) < creates.FindIndex(r => r.Contains("/deployments", StringComparison.Ordinal)), string.Join("\n", creates));
        }
        finally
        {
            Kube.JobFor = _ => new JobRun(0, "release phase done");
        }
    }

    [Fact]
    public async Task FailedReleaseJob_FailsTheReleaseAndLeavesTheDeploymentAlone()
    {
        await using var app = await fixture.CreateAppAsync();
        var ns = $"slipway-{app.Key}";
        var good = await app.DeploySucceededAsync(await app.UploadSlugAsync("A", new() { ["web"] = "serve-a" }));
        var before = Kube.Get("deployments", ns, $"{app.Key}-web")!;
        Kube.JobFor = j => Str(j, "metadata", "namespace") == ns ? new JobRun(7, "migration failed") : new JobRun(0, "ok");
        try
        {
            var bad = await app.DeployAsync(await app.UploadSlugAsync("B", new() { ["web"] = "serve-b", ["release"] = "migrate" }));
            var settled = await app.SettledAsync(bad.Version);

            Assert.Equal("failed", settled.Status);
            Assert.Equal("The release phase exited with status 7.", settled.FailureReason);
            var after = Kube.Get("deployments", ns, $"{app.Key}-web")!;
            Assert.Equal(Str(before, "metadata", "resourceVersion"), Str(after, "metadata", "resourceVersion"));
            Assert.Equal($"{good}", Str(after, "spec", "template", "metadata", "labels", "slipway.io/release-version"));
            Assert.Null(Kube.Get("secrets", ns, $"{app.Key}-v{bad.Version}-env"));
            Assert.Contains("migration failed", await app.Api.GetStringAsync($"/apps/{app.Key}/releases/{bad.Version}/output"), StringComparison.Ordinal);
        }
        finally
        {
            Kube.JobFor = _ => new JobRun(0, "release phase done");
        }
    }

    [Fact]
    public async Task Restart_PatchesTheTemplateWithAFreshSlugUrlAndReplacesThePods()
    {
        await using var app = await fixture.CreateAppAsync();
        await app.DeploySucceededAsync(await app.UploadSlugAsync("A", new() { ["web"] = "serve" }));
        var ns = $"slipway-{app.Key}";
        var before = (await app.DynosAsync()).Single().Name;
        var urlBefore = Env(Kube.Get("deployments", ns, $"{app.Key}-web")!["spec"]!["template"]!["spec"]!["containers"]![0]!)["SLUG_URL"];

        // A signed slug URL expires on a whole second: a second later, the restart's fresh URL differs.
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(HttpStatusCode.Accepted, (await app.Api.DeleteAsync($"/apps/{app.Key}/dynos/web")).StatusCode);
        await Poll.UntilAsync(async () => (await app.DynosAsync()) is [var d] && d.Name != before, "a new web pod");

        var template = Kube.Get("deployments", ns, $"{app.Key}-web")!["spec"]!["template"]!;
        Assert.NotNull(template["metadata"]!["annotations"]!["slipway.io/restarted-at"]);
        var urlAfter = Env(template["spec"]!["containers"]![0]!)["SLUG_URL"];
        Assert.NotEqual(urlBefore, urlAfter);
        Assert.Equal(urlBefore[..urlBefore.IndexOf('?', StringComparison.Ordinal)], urlAfter[..urlAfter.IndexOf('?', StringComparison.Ordinal)]);
        Assert.Equal("serve", template["spec"]!["containers"]![0]!["command"]!.AsArray()[^1]!.GetValue<string>());
        Assert.Contains(Kube.Requests, r => r == $"PATCH /apis/apps/v1/namespaces/{ns}/deployments/{app.Key}-web application/merge-patch+json; charset=utf-8");

        var one = (await app.DynosAsync()).Single().Name;
        Assert.Equal(HttpStatusCode.Accepted, (await app.Api.DeleteAsync($"/apps/{app.Key}/dynos/{one}")).StatusCode);
        await Poll.UntilAsync(() => Kube.List("pods", ns).Count == 0, "the pod to be deleted");
    }

    [Fact]
    public async Task Logs_IncludeThePodsOutput()
    {
        await using var app = await fixture.CreateAppAsync();
        var version = await app.DeploySucceededAsync(await app.UploadSlugAsync("A", new() { ["web"] = "serve" }));
        var dyno = (await app.DynosAsync()).Single().Name;

        var logs = await app.LogsAsync();

        Assert.Contains($"app[{dyno}]: ", logs, StringComparison.Ordinal);
        Assert.Contains($"of v{version} listening", logs, StringComparison.Ordinal);
        Assert.Contains($"slipway[release]: Release v{version} succeeded", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Destroy_DeletesTheAppsNamespace()
    {
        var app = await fixture.CreateAppAsync();
        await app.DeploySucceededAsync(await app.UploadSlugAsync("A", new() { ["web"] = "serve" }));
        var ns = $"slipway-{app.Key}";
        Assert.NotNull(Kube.Get("namespaces", "", ns));

        await app.DisposeAsync();

        Assert.Null(Kube.Get("namespaces", "", ns));
        Assert.Empty(Kube.List("deployments", ns));
    }

    internal static string Str(JsonNode node, params string[] path)
    {
        JsonNode? current = node;
        foreach (var part in path)
        {
            current = current is JsonArray array ? array[int.Parse(part, System.Globalization.CultureInfo.InvariantCulture)] : current?[part];
        }

        return current?.GetValue<string>() ?? throw new InvalidOperationException($"{string.Join('.', path)} is missing");
    }

    internal static Dictionary<string, string> Map(JsonNode? node) =>
        node!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());

    internal static Dictionary<string, string> SecretData(JsonNode secret) =>
        secret["data"]!.AsObject().ToDictionary(p => p.Key, p => Encoding.UTF8.GetString(Convert.FromBase64String(p.Value!.GetValue<string>())));

    /// <summary>
    /// A pod of an app runs as a user that is not root, on a read-only root filesystem with
    /// /app and /tmp as its only writable folders, with no capabilities, no way to gain
    /// privileges and no service account token.
    /// </summary>
    private static void AssertLockedDown(JsonNode template)
    {
        var pod = template["spec"]!;
        Assert.False(pod["automountServiceAccountToken"]!.GetValue<bool>());
        Assert.True(pod["securityContext"]!["runAsNonRoot"]!.GetValue<bool>());
        var container = pod["containers"]![0]!;
        var security = container["securityContext"]!;
        Assert.True(security["runAsNonRoot"]!.GetValue<bool>());
        Assert.NotEqual(0, security["runAsUser"]!.GetValue<long>());
        Assert.True(security["readOnlyRootFilesystem"]!.GetValue<bool>());
        Assert.False(security["allowPrivilegeEscalation"]!.GetValue<bool>());
        Assert.Equal(["ALL"], security["capabilities"]!["drop"]!.AsArray().Select(c => c!.GetValue<string>()));
        var mounts = container["volumeMounts"]!.AsArray().ToDictionary(m => Str(m!, "mountPath"), m => Str(m!, "name"));
        Assert.Equal(["/app", "/tmp"], mounts.Keys.Order());
        var volumes = pod["volumes"]!.AsArray().Where(v => v!["emptyDir"] is not null).Select(v => Str(v!, "name")).ToHashSet();
        Assert.True(mounts.Values.All(volumes.Contains), "every writable folder is an emptyDir");
    }

    internal static Dictionary<string, string> Env(JsonNode container) =>
        container["env"]!.AsArray().Where(e => e!["value"] is not null).ToDictionary(e => e!["name"]!.GetValue<string>(), e => e!["value"]!.GetValue<string>());
}
