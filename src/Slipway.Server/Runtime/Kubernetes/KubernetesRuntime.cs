using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;
using Slipway.Server.Logs;
using Slipway.Server.Slugs;

namespace Slipway.Server.Runtime.Kubernetes;

/// <summary>
/// Runs apps on Kubernetes: per release a Secret of config vars, the release phase as a Job that must
/// succeed first, then one Deployment per process type (a Service, and an Ingress when configured, for
/// <c>web</c>). Pods fetch the slug from a short-lived signed URL and run the Procfile command. The
/// release follows the rollout; when it stalls the Deployments get the previous template back (as
/// Deis did), so the previous ReplicaSet keeps serving. The cluster holds the state: nothing to clean up at start.
/// </summary>
public sealed partial class KubernetesRuntime(
    IKubernetes client,
    ISlugStore slugs,
    AppLogStore logs,
    IOptions<KubernetesOptions> kubernetesOptions,
    IOptions<RuntimeOptions> runtimeOptions,
    ILogger<KubernetesRuntime> logger) : IAppRuntime
{
    private const int MaxReleaseOutputChars = 512 * 1024;

    /// <summary>App id → namespace, learnt on deploy or scale; looked up by label otherwise.</summary>
    private readonly ConcurrentDictionary<Guid, string> _namespaces = new();

    private KubernetesOptions Options => kubernetesOptions.Value;

    public Task CleanUpEarlierRunAsync(CancellationToken ct) => Task.CompletedTask;

    public async Task<DeployOutcome> DeployAsync(ReleaseSpec release, CancellationToken ct)
    {
        if (release.SlugDigest is not { } digest)
        {
            // A release made before any code was deployed (a config change) has nothing to run.
            return DeployOutcome.Success(null);
        }

        var ns = await EnsureNamespaceAsync(release, ct);
        var slugUrl = await slugs.GetDownloadUrlAsync(digest, TimeSpan.FromMinutes(Options.SlugUrlLifetimeMinutes), ct);
        var secret = KubernetesObjects.Secret(release, ns);
        await ApplySecretAsync(secret, ns, ct);

        ReleasePhaseResult? phase = null;
        if (release.ProcessTypes.ContainsKey(ReleaseSpec.ReleasePhaseType))
        {
            (phase, var problem) = await RunReleasePhaseAsync(release, ns, slugUrl, ct);
            if (problem is not null)
            {
                await DeleteQuietlyAsync(() => client.CoreV1.DeleteNamespacedSecretAsync(secret.Metadata.Name, ns, cancellationToken: ct));
                return DeployOutcome.Failure(problem, phase);
            }
        }

        var previous = new Dictionary<string, V1Deployment?>(StringComparer.Ordinal);
        foreach (var type in release.Formation.Keys.Order(StringComparer.Ordinal))
        {
            var desired = KubernetesObjects.Deployment(release, ns, type, slugUrl, Options);
            previous[desired.Metadata.Name] = await ApplyDeploymentAsync(desired, ns, ct);
        }

        var failure = await WaitForRolloutsAsync([.. previous.Keys], ns, ct);
        if (failure is not null)
        {
            await RollBackAsync(release, ns, previous, ct);
            await DeleteQuietlyAsync(() => client.CoreV1.DeleteNamespacedSecretAsync(secret.Metadata.Name, ns, cancellationToken: ct));
            logs.Append(release.AppId, "slipway[runtime]", $"v{release.Version} did not roll out; the Deployments are back on what ran before.");
            return DeployOutcome.Failure(failure, phase);
        }

        await ApplyRoutingAsync(release, ns, ct);
        await RemoveLeftoversAsync(release, ns, [.. previous.Keys], ct);
        return DeployOutcome.Success(phase);
    }

    public async Task ScaleAsync(ReleaseSpec current, CancellationToken ct)
    {
        if (current.SlugDigest is not { } digest)
        {
            return;
        }

        var ns = await EnsureNamespaceAsync(current, ct);
        Uri? slugUrl = null;
        foreach (var (type, quantity) in current.Formation.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var name = KubernetesObjects.DeploymentName(current.AppKey, type);
            var existing = await ReadOrNullAsync(() => client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: ct));
            if (existing is not null && KubernetesObjects.Label(existing.Metadata, KubernetesObjects.VersionLabel) == current.Version.ToString(CultureInfo.InvariantCulture))
            {
                if (existing.Spec?.Replicas != quantity)
                {
                    await client.AppsV1.PatchNamespacedDeploymentAsync(MergePatch(new { spec = new { replicas = quantity } }), name, ns, cancellationToken: ct);
                }

                continue;
            }

            // The cluster runs something other than the current release (or nothing): bring the release back whole.
            slugUrl ??= await slugs.GetDownloadUrlAsync(digest, TimeSpan.FromMinutes(Options.SlugUrlLifetimeMinutes), ct);
            await ApplySecretAsync(KubernetesObjects.Secret(current, ns), ns, ct);
            await ApplyDeploymentAsync(KubernetesObjects.Deployment(current, ns, type, slugUrl, Options), ns, ct);
        }

        await ApplyRoutingAsync(current, ns, ct);
    }

    public async Task<bool> RestartAsync(Guid appId, string? typeOrName, CancellationToken ct)
    {
        if (await NamespaceOfAsync(appId, ct) is not { } ns)
        {
            return false;
        }

        var deployments = await client.AppsV1.ListNamespacedDeploymentAsync(ns, labelSelector: KubernetesObjects.AppSelector(appId), cancellationToken: ct);
        var selected = deployments.Items
            .Where(d => typeOrName is null || KubernetesObjects.Label(d.Metadata, KubernetesObjects.TypeLabel) == KubernetesObjects.TypeName(typeOrName))
            .ToList();
        if (selected.Count > 0)
        {
            var at = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
            foreach (var deployment in selected)
            {
                // The restart also signs a fresh SLUG_URL, so that it works however long ago the release was made.
                var containers = deployment.Spec.Template.Spec.Containers;
                if (deployment.Metadata.Annotations?.TryGetValue(KubernetesObjects.SlugAnnotation, out var digest) == true && digest.Length > 0)
                {
                    var fresh = await slugs.GetDownloadUrlAsync(digest, TimeSpan.FromMinutes(Options.SlugUrlLifetimeMinutes), ct);
                    foreach (var env in containers.SelectMany(c => c.Env ?? []).Where(e => e.Name == "SLUG_URL"))
                    {
                        env.Value = fresh.ToString();
                    }
                }

                var patch = new V1Deployment
                {
                    Spec = new V1DeploymentSpec
                    {
                        Template = new V1PodTemplateSpec
                        {
                            Metadata = new V1ObjectMeta { Annotations = new Dictionary<string, string> { [KubernetesObjects.RestartedAtAnnotation] = at } },
                            Spec = new V1PodSpec { Containers = containers },
                        },
                    },
                };
                await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(KubernetesJson.Serialize(patch), V1Patch.PatchType.MergePatch), deployment.Metadata.Name, ns, cancellationToken: ct);
            }

            return true;
        }

        // One process: its pod goes, and its Deployment starts a new one.
        var pod = (await DynoPodsAsync(appId, ns, ct)).FirstOrDefault(p => DynoName(p) == typeOrName || p.Metadata.Name == typeOrName);
        if (pod is null)
        {
            return false;
        }

        await DeleteQuietlyAsync(() => client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, ns, cancellationToken: ct));
        return true;
    }

    public async Task<IReadOnlyList<DynoStatus>> DynosAsync(Guid appId, CancellationToken ct)
    {
        if (await NamespaceOfAsync(appId, ct) is not { } ns)
        {
            return [];
        }

        return (await DynoPodsAsync(appId, ns, ct))
            .Select(ToDyno)
            .OrderBy(d => d.Type == ReleaseSpec.WebType ? 0 : 1)
            .ThenBy(d => d.Type, StringComparer.Ordinal)
            .ThenBy(d => d.Name, StringComparer.Ordinal)
            .ToList();
    }

    public async Task StopAppAsync(Guid appId, CancellationToken ct)
    {
        var ns = await NamespaceOfAsync(appId, ct);
        _namespaces.TryRemove(appId, out _);
        if (ns is null)
        {
            return;
        }

        if (Options.NamespaceMode == KubernetesOptions.NamespacePerApp)
        {
            await DeleteQuietlyAsync(() => client.CoreV1.DeleteNamespaceAsync(ns, cancellationToken: ct));
            return;
        }

        var selector = KubernetesObjects.AppSelector(appId);
        var background = new V1DeleteOptions { PropagationPolicy = "Background" };
        foreach (var d in (await client.AppsV1.ListNamespacedDeploymentAsync(ns, labelSelector: selector, cancellationToken: ct)).Items)
        {
            await DeleteQuietlyAsync(() => client.AppsV1.DeleteNamespacedDeploymentAsync(d.Metadata.Name, ns, background, cancellationToken: ct));
        }

        foreach (var j in (await client.BatchV1.ListNamespacedJobAsync(ns, labelSelector: selector, cancellationToken: ct)).Items)
        {
            await DeleteQuietlyAsync(() => client.BatchV1.DeleteNamespacedJobAsync(j.Metadata.Name, ns, background, cancellationToken: ct));
        }

        foreach (var s in (await client.CoreV1.ListNamespacedServiceAsync(ns, labelSelector: selector, cancellationToken: ct)).Items)
        {
            await DeleteQuietlyAsync(() => client.CoreV1.DeleteNamespacedServiceAsync(s.Metadata.Name, ns, cancellationToken: ct));
        }

        foreach (var i in (await client.NetworkingV1.ListNamespacedIngressAsync(ns, labelSelector: selector, cancellationToken: ct)).Items)
        {
            await DeleteQuietlyAsync(() => client.NetworkingV1.DeleteNamespacedIngressAsync(i.Metadata.Name, ns, cancellationToken: ct));
        }

        foreach (var s in (await client.CoreV1.ListNamespacedSecretAsync(ns, labelSelector: selector, cancellationToken: ct)).Items)
        {
            await DeleteQuietlyAsync(() => client.CoreV1.DeleteNamespacedSecretAsync(s.Metadata.Name, ns, cancellationToken: ct));
        }
    }

    /// <summary>Slipway's own lines for the app (release events) merged by time with the pods' logs.</summary>
    public async IAsyncEnumerable<LogLine> ReadLogsAsync(Guid appId, int lines, bool follow, [EnumeratorCancellation] CancellationToken ct)
    {
        var ns = await NamespaceOfAsync(appId, ct);
        var pods = ns is null ? [] : await DynoPodsAsync(appId, ns, ct);
        var recent = new List<LogLine>();
        await foreach (var line in logs.ReadAsync(appId, lines, follow: false, ct))
        {
            recent.Add(line);
        }

        foreach (var pod in pods)
        {
            recent.AddRange(await ReadPodLogAsync(pod, ns!, lines, ct));
        }

        foreach (var line in recent.OrderBy(l => l.Time).TakeLast(lines))
        {
            yield return line;
        }

        if (!follow)
        {
            yield break;
        }

        var merged = Channel.CreateUnbounded<LogLine>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var pumps = new List<Task>
        {
            Task.Run(async () =>
            {
                await foreach (var line in logs.ReadAsync(appId, 0, follow: true, stop.Token))
                {
                    await merged.Writer.WriteAsync(line, stop.Token);
                }
            }, stop.Token),
        };
        pumps.AddRange(pods.Select(pod => Task.Run(() => FollowPodLogAsync(pod, ns!, merged.Writer, stop.Token), stop.Token)));
        try
        {
            await foreach (var line in merged.Reader.ReadAllAsync(ct))
            {
                yield return line;
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(pumps.Select(p => p.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default)));
        }
    }

    /// <summary>The dyno name <c>aka ps</c> shows: the type and the pod's own suffix (<c>web.x7k2p</c>).</summary>
    public static string DynoName(V1Pod pod)
    {
        var type = KubernetesObjects.Label(pod.Metadata, KubernetesObjects.TypeLabel) ?? "process";
        var name = pod.Metadata.Name;
        return $"{type}.{name[(name.LastIndexOf('-') + 1)..]}";
    }

    private static DynoStatus ToDyno(V1Pod pod)
    {
        var statuses = pod.Status?.ContainerStatuses ?? [];
        var ready = pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
        var crashed = pod.Status?.Phase is "Failed"
            || statuses.Any(s => s.State?.Waiting?.Reason is "CrashLoopBackOff" or "ErrImagePull" or "ImagePullBackOff" or "CreateContainerConfigError" || s.State?.Terminated is not null);
        var state = pod.Status?.Phase == "Running" && ready ? DynoState.Up : crashed ? DynoState.Crashed : DynoState.Starting;
        var since = statuses.Select(s => s.State?.Running?.StartedAt ?? s.State?.Terminated?.FinishedAt).FirstOrDefault(t => t is not null)
            ?? pod.Status?.StartTime ?? pod.Metadata.CreationTimestamp ?? DateTime.UtcNow;
        var version = int.TryParse(KubernetesObjects.Label(pod.Metadata, KubernetesObjects.VersionLabel), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
        var command = pod.Spec?.Containers?.FirstOrDefault()?.Command?.LastOrDefault() ?? "";
        return new DynoStatus(
            DynoName(pod),
            KubernetesObjects.Label(pod.Metadata, KubernetesObjects.TypeLabel) ?? "",
            state,
            new DateTimeOffset(DateTime.SpecifyKind(since, DateTimeKind.Utc)),
            version,
            command,
            statuses.Sum(s => s.RestartCount));
    }

    private async Task<List<V1Pod>> DynoPodsAsync(Guid appId, string ns, CancellationToken ct)
    {
        var pods = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"{KubernetesObjects.AppSelector(appId)},{KubernetesObjects.TypeLabel}!={ReleaseSpec.ReleasePhaseType}", cancellationToken: ct);
        return pods.Items.Where(p => p.Metadata.DeletionTimestamp is null).ToList();
    }

    private async Task<List<LogLine>> ReadPodLogAsync(V1Pod pod, string ns, int lines, CancellationToken ct)
    {
        try
        {
            await using var stream = await client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, ns, tailLines: lines, timestamps: true, cancellationToken: ct);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var result = new List<LogLine>();
            while (await reader.ReadLineAsync(ct) is { } text)
            {
                result.Add(ParseLogLine(pod, text));
            }

            return result;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest)
        {
            // The pod is gone or its container has not started: it has nothing to say yet.
            return [];
        }
    }

    private async Task FollowPodLogAsync(V1Pod pod, string ns, ChannelWriter<LogLine> writer, CancellationToken ct)
    {
        try
        {
            await using var stream = await client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, ns, follow: true, sinceSeconds: 1, timestamps: true, cancellationToken: ct);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync(ct) is { } text)
            {
                await writer.WriteAsync(ParseLogLine(pod, text), ct);
            }
        }
        catch (HttpOperationException)
        {
        }
    }

    /// <summary>A line of <c>kubectl logs --timestamps</c>: <c>2026-11-27T14:03:05.123456789Z text</c>.</summary>
    private static LogLine ParseLogLine(V1Pod pod, string text)
    {
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        var source = $"app[{DynoName(pod)}]";
        if (space > 0 && DateTimeOffset.TryParse(text[..space], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return new LogLine(time, source, text[(space + 1)..]);
        }

        return new LogLine(DateTimeOffset.UtcNow, source, text);
    }

    /// <summary>Runs the release Job to its end; the problem is null when it succeeded.</summary>
    private async Task<(ReleasePhaseResult Result, string? Problem)> RunReleasePhaseAsync(ReleaseSpec release, string ns, Uri slugUrl, CancellationToken ct)
    {
        var timeout = runtimeOptions.Value.ReleasePhaseTimeoutSeconds;
        var job = KubernetesObjects.ReleaseJob(release, ns, slugUrl, Options, timeout);
        logs.Append(release.AppId, "slipway[release]", $"Running release command `{release.ProcessTypes[ReleaseSpec.ReleasePhaseType]}` for v{release.Version} as Job {job.Metadata.Name}");

        // A Job left by an earlier attempt at this release (the server stopped mid-deploy) starts over.
        await DeleteQuietlyAsync(() => client.BatchV1.DeleteNamespacedJobAsync(job.Metadata.Name, ns, new V1DeleteOptions { PropagationPolicy = "Background" }, cancellationToken: ct));
        var deadline = DateTime.UtcNow.AddSeconds(timeout + 60);
        while (await ReadOrNullAsync(() => client.BatchV1.ReadNamespacedJobAsync(job.Metadata.Name, ns, cancellationToken: ct)) is not null)
        {
            // Deletion is asynchronous: the old Job may linger for a moment.
            if (DateTime.UtcNow > deadline)
            {
                return (new ReleasePhaseResult("", null), $"An earlier Job {job.Metadata.Name} could not be removed.");
            }

            await Task.Delay(Options.PollInterval, ct);
        }

        await client.BatchV1.CreateNamespacedJobAsync(job, ns, cancellationToken: ct);

        V1Job current;
        while (true)
        {
            current = await client.BatchV1.ReadNamespacedJobAsync(job.Metadata.Name, ns, cancellationToken: ct);
            if (current.Status?.Succeeded > 0 || current.Status?.Failed > 0 || HasCondition(current.Status?.Conditions, "Failed") || HasCondition(current.Status?.Conditions, "Complete"))
            {
                break;
            }

            if (DateTime.UtcNow > deadline)
            {
                var output = await JobOutputAsync(job.Metadata.Name, ns, ct);
                return (new ReleasePhaseResult(output.Text, null), $"The release phase did not finish within {timeout} s.");
            }

            await Task.Delay(Options.PollInterval, ct);
        }

        var (text, exitCode) = await JobOutputAsync(job.Metadata.Name, ns, ct);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            logs.Append(release.AppId, "app[release.1]", line);
        }

        var succeeded = current.Status?.Succeeded > 0 || HasCondition(current.Status?.Conditions, "Complete");
        if (succeeded)
        {
            logs.Append(release.AppId, "slipway[release]", "Release command exited with status 0");
            return (new ReleasePhaseResult(text, exitCode ?? 0), null);
        }

        var reason = current.Status?.Conditions?.FirstOrDefault(c => c.Type == "Failed")?.Reason;
        var problem = exitCode is { } status
            ? $"The release phase exited with status {status}."
            : $"The release phase failed ({reason ?? "the Job failed"}).";
        return (new ReleasePhaseResult(text, exitCode), problem);
    }

    private async Task<(string Text, int? ExitCode)> JobOutputAsync(string jobName, string ns, CancellationToken ct)
    {
        var pods = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"job-name={jobName}", cancellationToken: ct);
        var pod = pods.Items.OrderByDescending(p => p.Metadata.CreationTimestamp).FirstOrDefault();
        if (pod is null)
        {
            return ("", null);
        }

        var exitCode = pod.Status?.ContainerStatuses?.Select(s => s.State?.Terminated?.ExitCode).FirstOrDefault(c => c is not null);
        try
        {
            await using var stream = await client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, ns, cancellationToken: ct);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var text = await reader.ReadToEndAsync(ct);
            return (text.Length > MaxReleaseOutputChars ? text[^MaxReleaseOutputChars..] : text, exitCode);
        }
        catch (HttpOperationException)
        {
            return ("", exitCode);
        }
    }

    /// <summary>Polls the Deployments until each has its new ReplicaSet available; null then, otherwise why not.</summary>
    private async Task<string?> WaitForRolloutsAsync(List<string> names, string ns, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(Options.ProgressDeadlineSeconds + 60);
        var waiting = new HashSet<string>(names, StringComparer.Ordinal);
        while (waiting.Count > 0)
        {
            foreach (var name in waiting.ToList())
            {
                var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: ct);
                var (done, failure) = RolloutOf(deployment);
                if (failure is not null)
                {
                    return failure;
                }

                if (done)
                {
                    waiting.Remove(name);
                }
            }

            if (waiting.Count == 0)
            {
                break;
            }

            if (DateTime.UtcNow > deadline)
            {
                return $"The rollout of {string.Join(", ", waiting)} did not finish within {Options.ProgressDeadlineSeconds + 60} s.";
            }

            await Task.Delay(Options.PollInterval, ct);
        }

        return null;
    }

    /// <summary><c>kubectl rollout status</c>'s rule: observed, all replicas updated, old ones gone, the new ones available.</summary>
    internal static (bool Done, string? Failure) RolloutOf(V1Deployment deployment)
    {
        var status = deployment.Status;
        if (status is null || deployment.Metadata.Generation > status.ObservedGeneration)
        {
            return (false, null);
        }

        var progressing = status.Conditions?.FirstOrDefault(c => c.Type == "Progressing");
        if (progressing?.Reason == "ProgressDeadlineExceeded")
        {
            return (false, $"{deployment.Metadata.Name} did not become available within its progress deadline (ProgressDeadlineExceeded): {progressing.Message}");
        }

        var want = deployment.Spec.Replicas ?? 1;
        var done = (status.UpdatedReplicas ?? 0) >= want
            && (status.Replicas ?? 0) <= (status.UpdatedReplicas ?? 0)
            && (status.AvailableReplicas ?? 0) >= (status.UpdatedReplicas ?? 0);
        return (done, null);
    }

    /// <summary>Puts each Deployment back on the template it had before this deploy; Deployments new with it go.</summary>
    private async Task RollBackAsync(ReleaseSpec release, string ns, Dictionary<string, V1Deployment?> previous, CancellationToken ct)
    {
        foreach (var (name, before) in previous)
        {
            if (before is null)
            {
                await DeleteQuietlyAsync(() => client.AppsV1.DeleteNamespacedDeploymentAsync(name, ns, new V1DeleteOptions { PropagationPolicy = "Background" }, cancellationToken: ct));
                continue;
            }

            var now = await client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: ct);
            now.Metadata.Labels = before.Metadata.Labels;
            now.Metadata.Annotations = before.Metadata.Annotations;
            now.Spec.Template = before.Spec.Template;
            now.Spec.Replicas = before.Spec.Replicas;
            now.Status = null;
            await client.AppsV1.ReplaceNamespacedDeploymentAsync(now, name, ns, cancellationToken: ct);
            LogRolledBack(release.AppKey, release.Version, name);
        }
    }

    /// <summary>After a release is live: Deployments of types it does not have, and older Secrets, go.</summary>
    private async Task RemoveLeftoversAsync(ReleaseSpec release, string ns, List<string> live, CancellationToken ct)
    {
        var selector = KubernetesObjects.AppSelector(release.AppId);
        foreach (var d in (await client.AppsV1.ListNamespacedDeploymentAsync(ns, labelSelector: selector, cancellationToken: ct)).Items)
        {
            if (!live.Contains(d.Metadata.Name))
            {
                await DeleteQuietlyAsync(() => client.AppsV1.DeleteNamespacedDeploymentAsync(d.Metadata.Name, ns, new V1DeleteOptions { PropagationPolicy = "Background" }, cancellationToken: ct));
            }
        }

        var keep = KubernetesObjects.SecretName(release.AppKey, release.Version);
        foreach (var s in (await client.CoreV1.ListNamespacedSecretAsync(ns, labelSelector: selector, cancellationToken: ct)).Items)
        {
            if (s.Metadata.Name != keep)
            {
                await DeleteQuietlyAsync(() => client.CoreV1.DeleteNamespacedSecretAsync(s.Metadata.Name, ns, cancellationToken: ct));
            }
        }
    }

    /// <summary>The Service (and Ingress) for web while the release has web processes; gone otherwise.</summary>
    private async Task ApplyRoutingAsync(ReleaseSpec release, string ns, CancellationToken ct)
    {
        var serviceName = KubernetesObjects.ServiceName(release.AppKey);
        var ingressName = KubernetesObjects.NameOf(release.AppKey);
        if (!release.Formation.ContainsKey(ReleaseSpec.WebType))
        {
            await DeleteQuietlyAsync(() => client.CoreV1.DeleteNamespacedServiceAsync(serviceName, ns, cancellationToken: ct));
            await DeleteQuietlyAsync(() => client.NetworkingV1.DeleteNamespacedIngressAsync(ingressName, ns, cancellationToken: ct));
            return;
        }

        var service = KubernetesObjects.Service(release, ns, Options);
        var existing = await ReadOrNullAsync(() => client.CoreV1.ReadNamespacedServiceAsync(serviceName, ns, cancellationToken: ct));
        if (existing is null)
        {
            await client.CoreV1.CreateNamespacedServiceAsync(service, ns, cancellationToken: ct);
        }

        if (string.IsNullOrEmpty(Options.IngressHostPattern))
        {
            return;
        }

        var host = Options.IngressHostPattern.Replace("{app}", release.AppKey, StringComparison.Ordinal);
        var ingress = KubernetesObjects.Ingress(release, ns, host, Options);
        var current = await ReadOrNullAsync(() => client.NetworkingV1.ReadNamespacedIngressAsync(ingressName, ns, cancellationToken: ct));
        if (current is null)
        {
            await client.NetworkingV1.CreateNamespacedIngressAsync(ingress, ns, cancellationToken: ct);
        }
        else if (current.Spec.Rules?.FirstOrDefault()?.Host != host)
        {
            ingress.Metadata.ResourceVersion = current.Metadata.ResourceVersion;
            await client.NetworkingV1.ReplaceNamespacedIngressAsync(ingress, ingressName, ns, cancellationToken: ct);
        }
    }

    /// <summary>Creates or replaces a Deployment and answers what it was before (null when it is new).</summary>
    private async Task<V1Deployment?> ApplyDeploymentAsync(V1Deployment desired, string ns, CancellationToken ct)
    {
        var name = desired.Metadata.Name;
        var existing = await ReadOrNullAsync(() => client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: ct));
        if (existing is null)
        {
            await client.AppsV1.CreateNamespacedDeploymentAsync(desired, ns, cancellationToken: ct);
            return null;
        }

        // Keep the restart annotation out: a new release restarts everything anyway.
        desired.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
        await client.AppsV1.ReplaceNamespacedDeploymentAsync(desired, name, ns, cancellationToken: ct);
        return existing;
    }

    private async Task ApplySecretAsync(V1Secret secret, string ns, CancellationToken ct)
    {
        var existing = await ReadOrNullAsync(() => client.CoreV1.ReadNamespacedSecretAsync(secret.Metadata.Name, ns, cancellationToken: ct));
        if (existing is null)
        {
            await client.CoreV1.CreateNamespacedSecretAsync(secret, ns, cancellationToken: ct);
            return;
        }

        secret.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
        await client.CoreV1.ReplaceNamespacedSecretAsync(secret, secret.Metadata.Name, ns, cancellationToken: ct);
    }

    private async Task<string> EnsureNamespaceAsync(ReleaseSpec release, CancellationToken ct)
    {
        var ns = Options.NamespaceMode == KubernetesOptions.NamespacePerApp
            ? Options.NamespacePrefix + KubernetesObjects.NameOf(release.AppKey)
            : Options.Namespace;
        if (_namespaces.TryGetValue(release.AppId, out var known) && known == ns)
        {
            return ns;
        }

        if (await ReadOrNullAsync(() => client.CoreV1.ReadNamespaceAsync(ns, cancellationToken: ct)) is null)
        {
            var body = Options.NamespaceMode == KubernetesOptions.NamespacePerApp
                ? KubernetesObjects.Namespace(ns, release)
                : new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = ns, Labels = new Dictionary<string, string> { [KubernetesObjects.ManagedBy] = "slipway" } } };
            try
            {
                await client.CoreV1.CreateNamespaceAsync(body, cancellationToken: ct);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
            }
        }

        _namespaces[release.AppId] = ns;
        return ns;
    }

    /// <summary>Where the app runs: the shared namespace, or the namespace labelled with its id.</summary>
    private async Task<string?> NamespaceOfAsync(Guid appId, CancellationToken ct)
    {
        if (Options.NamespaceMode == KubernetesOptions.Labels)
        {
            return Options.Namespace;
        }

        if (_namespaces.TryGetValue(appId, out var ns))
        {
            return ns;
        }

        var found = await client.CoreV1.ListNamespaceAsync(labelSelector: KubernetesObjects.AppSelector(appId), cancellationToken: ct);
        if (found.Items.FirstOrDefault()?.Metadata.Name is { } name)
        {
            _namespaces[appId] = name;
            return name;
        }

        return null;
    }

    private static bool HasCondition(IList<V1JobCondition>? conditions, string type) =>
        conditions?.Any(c => c.Type == type && c.Status == "True") == true;

    private static V1Patch MergePatch(object patch) => new(JsonSerializer.Serialize(patch), V1Patch.PatchType.MergePatch);

    private static async Task<T?> ReadOrNullAsync<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static async Task DeleteQuietlyAsync<T>(Func<Task<T>> delete)
    {
        try
        {
            await delete();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{App} v{Version} did not roll out; Deployment {Deployment} is back on its previous template")]
    private partial void LogRolledBack(string app, int version, string deployment);
}
