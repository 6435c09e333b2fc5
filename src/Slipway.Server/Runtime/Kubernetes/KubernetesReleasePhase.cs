using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;
using Slipway.Server.Logs;

namespace Slipway.Server.Runtime.Kubernetes;

/// <summary>
/// The release phase on Kubernetes: a Job <c>&lt;app&gt;-release-v&lt;N&gt;</c> with the new release's slug and
/// config, run to its end (no retries, <c>ReleasePhaseTimeoutSeconds</c> as its deadline) before any
/// Deployment changes. Its pod's output goes to the app's log and is kept with the release.
/// </summary>
public sealed class KubernetesReleasePhase(
    IKubernetes client,
    AppLogStore logs,
    IOptions<KubernetesOptions> kubernetesOptions,
    IOptions<RuntimeOptions> runtimeOptions,
    TimeProvider clock)
{
    private const int MaxReleaseOutputChars = 512 * 1024;

    private KubernetesOptions Options => kubernetesOptions.Value;

    /// <summary>Runs the release Job to its end; the problem is null when it succeeded.</summary>
    public async Task<(ReleasePhaseResult Result, string? Problem)> RunAsync(ReleaseSpec release, string ns, Uri slugUrl, CancellationToken ct)
    {
        var timeout = runtimeOptions.Value.ReleasePhaseTimeoutSeconds;
        var job = KubernetesObjects.ReleaseJob(release, ns, slugUrl, Options, timeout);
        logs.Append(release.AppId, "slipway[release]", $"Running release command `{release.ProcessTypes[ReleaseSpec.ReleasePhaseType]}` for v{release.Version} as Job {job.Metadata.Name}");

        // A Job left by an earlier attempt at this release (the server stopped mid-deploy) starts over.
        await KubernetesCalls.DeleteQuietlyAsync(() => client.BatchV1.DeleteNamespacedJobAsync(job.Metadata.Name, ns, KubernetesCalls.InBackground, cancellationToken: ct));
        var deadline = clock.GetUtcNow().AddSeconds(timeout + 60);
        while (await KubernetesCalls.ReadOrNullAsync(() => client.BatchV1.ReadNamespacedJobAsync(job.Metadata.Name, ns, cancellationToken: ct)) is not null)
        {
            // Deletion is asynchronous: the old Job may linger for a moment.
            if (clock.GetUtcNow() > deadline)
            {
                return (new ReleasePhaseResult("", null), $"An earlier Job {job.Metadata.Name} could not be removed.");
            }

            await Task.Delay(Options.PollInterval, clock, ct);
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

            if (clock.GetUtcNow() > deadline)
            {
                var output = await JobOutputAsync(job.Metadata.Name, ns, ct);
                return (new ReleasePhaseResult(output.Text, null), $"The release phase did not finish within {timeout} s.");
            }

            await Task.Delay(Options.PollInterval, clock, ct);
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

    private static bool HasCondition(IList<V1JobCondition>? conditions, string type) =>
        conditions?.Any(c => c.Type == type && c.Status == "True") == true;
}
