using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Slipway.Server.Tests.Runtime.Kubernetes;

/// <summary>What the stand-in's Deployment controller does with a new template.</summary>
public enum Rollout
{
    /// <summary>The new ReplicaSet's pods come up ready; the old ones go.</summary>
    Succeed,

    /// <summary>One new pod crash-loops and the Deployment reports <c>ProgressDeadlineExceeded</c>; the old pods keep running.</summary>
    Stall,

    /// <summary>Observed, nothing updated yet: the rollout waits.</summary>
    Hold,
}

/// <summary>How a release Job ends: its pod's exit code and output.</summary>
public sealed record JobRun(int ExitCode, string Output);

/// <summary>
/// A stand-in Kubernetes API server (Kestrel on 127.0.0.1) for the REST paths the runtime uses:
/// core v1 namespaces, secrets, services, pods (and their logs), apps/v1 deployments and replicasets,
/// batch/v1 jobs, networking.k8s.io/v1 ingresses: GET, list with labelSelector, POST, PUT (with
/// resourceVersion checks), merge PATCH, DELETE; a watch of pods (<c>?watch=true</c>, from a
/// <c>resourceVersion</c>) and a pod's log followed (<c>?follow=true</c>) while its container runs.
/// It validates what it receives against the part of
/// the object schema it implements and answers 422 (<c>Status</c>, reason <c>Invalid</c>) otherwise.
/// A small controller plays the cluster: Deployments get ReplicaSets, pods and a status as
/// <see cref="RolloutFor"/> says, Jobs get a pod that ends as <see cref="JobFor"/> says.
/// </summary>
public sealed partial class StandInKubernetes : IAsyncDisposable
{
    private static readonly Dictionary<string, Kind> Kinds = new()
    {
        ["namespaces"] = new("", "v1", "Namespace", Namespaced: false),
        ["secrets"] = new("", "v1", "Secret", Namespaced: true),
        ["services"] = new("", "v1", "Service", Namespaced: true),
        ["pods"] = new("", "v1", "Pod", Namespaced: true),
        ["deployments"] = new("apps", "v1", "Deployment", Namespaced: true),
        ["replicasets"] = new("apps", "v1", "ReplicaSet", Namespaced: true),
        ["jobs"] = new("batch", "v1", "Job", Namespaced: true),
        ["ingresses"] = new("networking.k8s.io", "v1", "Ingress", Namespaced: true),
    };

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Resource, string Namespace, string Name), JsonObject> _objects = [];
    private readonly Dictionary<(string Namespace, string Pod), ContainerLog> _logs = [];
    private readonly Dictionary<(string Namespace, string Pod), int> _followers = [];

    /// <summary>Every change to a pod, in resource version order, for watches.</summary>
    private readonly List<(long Version, string Namespace, string Type, JsonObject Pod)> _podEvents = [];
    private readonly List<string> _requests = [];
    private long _resourceVersion = 100;

    /// <summary>Completed (and replaced) on every change, so that watches and followed logs wake up.</summary>
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Cancelled (and replaced) to drop every open watch and followed log.</summary>
    private CancellationTokenSource _streams = new();

    private StandInKubernetes(WebApplication app, string kubeConfigPath)
    {
        _app = app;
        KubeConfigPath = kubeConfigPath;
    }

    public string KubeConfigPath { get; }

    /// <summary>Decides each Deployment's rollout when its template or replicas change; everything succeeds by default.</summary>
    public Func<JsonObject, Rollout> RolloutFor { get; set; } = _ => Rollout.Succeed;

    /// <summary>Decides how each release Job ends; exit 0 by default.</summary>
    public Func<JsonObject, JobRun> JobFor { get; set; } = _ => new JobRun(0, "release phase done");

    /// <summary>Every request as <c>METHOD path content-type</c>, in order.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<StandInKubernetes> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var kubeConfig = Path.Combine(Directory.CreateTempSubdirectory("slipway-kube-").FullName, "config");
        var standIn = new StandInKubernetes(app, kubeConfig);
        app.Run(standIn.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await File.WriteAllTextAsync(kubeConfig, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: stand-in
              cluster:
                server: {address}
            users:
            - name: tester
              user:
                token: stand-in-token
            contexts:
            - name: stand-in
              context:
                cluster: stand-in
                user: tester
            current-context: stand-in
            """);
        return standIn;
    }

    /// <summary>A copy of the object, or null.</summary>
    public JsonObject? Get(string resource, string ns, string name)
    {
        lock (_gate)
        {
            return _objects.TryGetValue((resource, Kinds[resource].Namespaced ? ns : "", name), out var o) ? (JsonObject)o.DeepClone() : null;
        }
    }

    /// <summary>Plays the controller again on a Deployment, as if its rollout had now come to <paramref name="outcome"/>.</summary>
    public void Finish(string ns, string deployment, Rollout outcome)
    {
        lock (_gate)
        {
            var o = _objects[("deployments", ns, deployment)];
            var decide = RolloutFor;
            RolloutFor = _ => outcome;
            try
            {
                Reconcile(ns, o);
                o["metadata"]!["resourceVersion"] = NextVersion();
            }
            finally
            {
                RolloutFor = decide;
            }
        }
    }

    /// <summary>The pods whose log someone follows right now (<c>?follow=true</c>), by name.</summary>
    public IReadOnlyList<string> FollowedPods
    {
        get
        {
            lock (_gate)
            {
                return _followers.Where(f => f.Value > 0).Select(f => f.Key.Pod).Order(StringComparer.Ordinal).ToList();
            }
        }
    }

    /// <summary>The API server drops every open watch and followed log, as when it restarts; the pods run on.</summary>
    public void DropStreams()
    {
        CancellationTokenSource dropped;
        lock (_gate)
        {
            dropped = _streams;
            _streams = new CancellationTokenSource();
        }

        dropped.Cancel();
        dropped.Dispose();
    }

    /// <summary>The pod's container prints a line.</summary>
    public void WriteLog(string ns, string pod, string text)
    {
        lock (_gate)
        {
            _logs[(ns, pod)].Lines.Add((DateTimeOffset.UtcNow, text));
            Changed();
        }
    }

    /// <summary>The pod's container exits and the kubelet starts it again: a new log, and the pod's <c>restartCount</c> goes up.</summary>
    public void RestartContainer(string ns, string pod)
    {
        lock (_gate)
        {
            var o = _objects[("pods", ns, pod)];
            var status = o["status"]!["containerStatuses"]![0]!;
            status["restartCount"] = status["restartCount"]!.GetValue<int>() + 1;
            status["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Now() } };
            o["metadata"]!["resourceVersion"] = NextVersion();
            _logs[(ns, pod)] = new ContainerLog();
            PodChanged("MODIFIED", ns, o);
        }
    }

    /// <summary>Copies of every object of a resource in a namespace (all namespaces when null).</summary>
    public List<JsonObject> List(string resource, string? ns = null)
    {
        lock (_gate)
        {
            return _objects.Where(o => o.Key.Resource == resource && (ns is null || o.Key.Namespace == ns))
                .OrderBy(o => o.Key.Name, StringComparer.Ordinal)
                .Select(o => (JsonObject)o.Value.DeepClone())
                .ToList();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(KubeConfigPath)!, recursive: true);
    }

    private async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        lock (_gate)
        {
            _requests.Add($"{request.Method} {request.Path}{request.QueryString} {request.ContentType}".TrimEnd());
        }

        if (request.Headers.Authorization.ToString() != "Bearer stand-in-token")
        {
            await WriteStatusAsync(http, 401, "Unauthorized", "no or a wrong bearer token");
            return;
        }

        if (!TryRoute(request.Path.Value ?? "", out var route))
        {
            await WriteStatusAsync(http, 404, "NotFound", $"the server could not find the requested resource ({request.Path})");
            return;
        }

        if (request.Query["watch"] is ["true" or "1"])
        {
            if (route.Resource != "pods" || route.Name is not null || request.Method != "GET")
            {
                await WriteStatusAsync(http, 400, "BadRequest", "the stand-in serves watches of pods only");
                return;
            }

            await WatchPodsAsync(http, route);
            return;
        }

        if (route.Sub == "log" && request.Query["follow"] is ["true" or "1"] && request.Method == "GET")
        {
            await FollowLogAsync(http, route);
            return;
        }

        JsonNode? body = null;
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            try
            {
                body = await JsonNode.ParseAsync(request.Body);
            }
            catch (JsonException e)
            {
                await WriteStatusAsync(http, 400, "BadRequest", $"invalid JSON: {e.Message}");
                return;
            }
        }

        (int Status, JsonNode Body) result;
        lock (_gate)
        {
            try
            {
                result = Dispatch(http, route, body);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException or NullReferenceException)
            {
                // A body the stand-in cannot read is a bug in it or a shape it does not implement: say which.
                result = StatusOf(500, "InternalError", e.ToString());
            }
        }

        if (result.Body is JsonValue text && text.TryGetValue<string>(out var plain))
        {
            http.Response.StatusCode = result.Status;
            http.Response.ContentType = "text/plain";
            await http.Response.WriteAsync(plain);
            return;
        }

        http.Response.StatusCode = result.Status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(result.Body.ToJsonString());
    }

    private (int, JsonNode) Dispatch(HttpContext http, Route route, JsonNode? body)
    {
        var method = http.Request.Method;
        var kind = Kinds[route.Resource];
        if (route.Name is null)
        {
            return method switch
            {
                "GET" => ListResponse(route, kind, http.Request.Query["labelSelector"].ToString()),
                "POST" => Create(route, kind, body),
                _ => StatusOf(405, "MethodNotAllowed", $"{method} is not served on a collection"),
            };
        }

        if (route.Sub == "log")
        {
            return method == "GET" ? PodLog(route, http.Request.Query) : StatusOf(405, "MethodNotAllowed", "logs are read-only");
        }

        var key = (route.Resource, route.Namespace, route.Name);
        var found = _objects.TryGetValue(key, out var current);
        if (!found && method != "POST")
        {
            return StatusOf(404, "NotFound", $"{route.Resource} \"{route.Name}\" not found", route);
        }

        switch (method)
        {
            case "GET":
                return (200, current!.DeepClone());
            case "PUT":
                if (body is not JsonObject replacement)
                {
                    return StatusOf(400, "BadRequest", "a PUT needs an object");
                }

                if (replacement["metadata"]?["resourceVersion"]?.GetValue<string>() is { } rv && rv != current!["metadata"]!["resourceVersion"]!.GetValue<string>())
                {
                    return StatusOf(409, "Conflict", $"Operation cannot be fulfilled on {route.Resource} \"{route.Name}\": the object has been modified; please apply your changes to the latest version and try again", route);
                }

                return Update(route, kind, current!, replacement);
            case "PATCH":
                var contentType = http.Request.ContentType ?? "";
                if (!contentType.StartsWith("application/merge-patch+json", StringComparison.Ordinal))
                {
                    return StatusOf(415, "UnsupportedMediaType", $"the stand-in implements merge patches only, not {contentType}");
                }

                if (body is not JsonObject patch)
                {
                    return StatusOf(400, "BadRequest", "a merge patch is an object");
                }

                return Update(route, kind, current!, (JsonObject)MergePatch(current!.DeepClone(), patch)!);
            case "DELETE":
                Delete(route.Resource, route.Namespace, route.Name);
                return route.Resource is "pods" or "services"
                    ? (200, current!)
                    : (200, new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success", ["details"] = new JsonObject { ["name"] = route.Name, ["kind"] = route.Resource } });
            default:
                return StatusOf(405, "MethodNotAllowed", $"{method} is not served");
        }
    }

    private (int, JsonNode) ListResponse(Route route, Kind kind, string selector)
    {
        var items = new JsonArray();
        foreach (var ((resource, ns, _), o) in _objects.OrderBy(o => o.Key.Name, StringComparer.Ordinal))
        {
            if (resource == route.Resource && (!kind.Namespaced || ns == route.Namespace) && Matches(o, selector))
            {
                items.Add(o.DeepClone());
            }
        }

        return (200, new JsonObject
        {
            ["kind"] = kind.Name + "List",
            ["apiVersion"] = kind.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = _resourceVersion.ToString(CultureInfo.InvariantCulture) },
            ["items"] = items,
        });
    }

    private (int, JsonNode) Create(Route route, Kind kind, JsonNode? body)
    {
        if (body is not JsonObject o)
        {
            return StatusOf(400, "BadRequest", "a POST needs an object");
        }

        if (kind.Namespaced && !_objects.ContainsKey(("namespaces", "", route.Namespace)))
        {
            return StatusOf(404, "NotFound", $"namespaces \"{route.Namespace}\" not found");
        }

        var problems = Validate(route, kind, o, previous: null);
        var name = o["metadata"]?["name"]?.GetValue<string>() ?? "";
        if (problems.Count > 0)
        {
            return Invalid(kind, name, problems);
        }

        if (_objects.ContainsKey((route.Resource, route.Namespace, name)))
        {
            return StatusOf(409, "AlreadyExists", $"{route.Resource} \"{name}\" already exists", route with { Name = name });
        }

        var metadata = o["metadata"]!.AsObject();
        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = Now();
        metadata["resourceVersion"] = NextVersion();
        if (kind.Namespaced)
        {
            metadata["namespace"] = route.Namespace;
        }

        if (route.Resource is "deployments" or "jobs" or "replicasets")
        {
            metadata["generation"] = 1L;
        }

        if (route.Resource == "namespaces")
        {
            o["status"] = new JsonObject { ["phase"] = "Active" };
        }

        _objects[(route.Resource, route.Namespace, name)] = o;
        switch (route.Resource)
        {
            case "pods":
                PodChanged("ADDED", route.Namespace, o);
                break;
            case "deployments":
                Reconcile(route.Namespace, o);
                break;
            case "jobs":
                RunJob(route.Namespace, o);
                break;
        }

        return (201, o.DeepClone());
    }

    private (int, JsonNode) Update(Route route, Kind kind, JsonObject current, JsonObject next)
    {
        var problems = Validate(route, kind, next, current);
        if (next["metadata"]?["name"]?.GetValue<string>() != route.Name)
        {
            problems.Add("metadata.name: Invalid value: the name of the object does not match the name in the URL");
        }

        if (problems.Count > 0)
        {
            return Invalid(kind, route.Name!, problems);
        }

        var metadata = next["metadata"]!.AsObject();
        foreach (var kept in new[] { "uid", "creationTimestamp", "generation" })
        {
            metadata[kept] = current["metadata"]![kept]?.DeepClone();
        }

        if (kind.Namespaced)
        {
            metadata["namespace"] = route.Namespace;
        }

        metadata["resourceVersion"] = NextVersion();
        next["status"] = current["status"]?.DeepClone();
        var specChanged = !JsonNode.DeepEquals(current["spec"], next["spec"]);
        if (specChanged && metadata["generation"] is not null)
        {
            metadata["generation"] = metadata["generation"]!.GetValue<long>() + 1;
        }

        _objects[(route.Resource, route.Namespace, route.Name!)] = next;
        if (route.Resource == "pods")
        {
            PodChanged("MODIFIED", route.Namespace, next);
        }

        if (route.Resource == "deployments" && specChanged)
        {
            Reconcile(route.Namespace, next);
        }

        return (200, next.DeepClone());
    }

    /// <summary>The Deployment controller: a ReplicaSet per template, pods, and a status as <see cref="RolloutFor"/> decides.</summary>
    private void Reconcile(string ns, JsonObject deployment)
    {
        var name = deployment["metadata"]!["name"]!.GetValue<string>();
        var generation = deployment["metadata"]!["generation"]!.GetValue<long>();
        var replicas = deployment["spec"]!["replicas"]?.GetValue<int>() ?? 1;
        var template = deployment["spec"]!["template"]!.AsObject();
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(template.ToJsonString())))[..10];
        var rsName = $"{name}-{hash}";
        var replicaSets = _objects.Where(o => o.Key.Resource == "replicasets" && o.Key.Namespace == ns && Owner(o.Value) == name).ToList();
        if (!replicaSets.Any(r => r.Key.Name == rsName))
        {
            var revision = replicaSets.Count + 1;
            var rs = new JsonObject
            {
                ["apiVersion"] = "apps/v1",
                ["kind"] = "ReplicaSet",
                ["metadata"] = new JsonObject
                {
                    ["name"] = rsName,
                    ["namespace"] = ns,
                    ["uid"] = Guid.NewGuid().ToString(),
                    ["resourceVersion"] = NextVersion(),
                    ["creationTimestamp"] = Now(),
                    ["generation"] = 1,
                    ["labels"] = WithHash(template["metadata"]?["labels"], hash),
                    ["annotations"] = new JsonObject { ["deployment.kubernetes.io/revision"] = revision.ToString(CultureInfo.InvariantCulture) },
                    ["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "Deployment", ["name"] = name, ["uid"] = deployment["metadata"]!["uid"]!.DeepClone(), ["controller"] = true }),
                },
                ["spec"] = new JsonObject
                {
                    ["replicas"] = 0,
                    ["selector"] = deployment["spec"]!["selector"]!.DeepClone(),
                    ["template"] = WithTemplateHash(template, hash),
                },
            };
            _objects[("replicasets", ns, rsName)] = rs;
        }

        var outcome = RolloutFor(deployment);
        var podsOf = (string h) => _objects.Where(o => o.Key.Resource == "pods" && o.Key.Namespace == ns && o.Value["metadata"]!["labels"]?["pod-template-hash"]?.GetValue<string>() == h && Owner(o.Value) == name).Select(o => o.Key.Name).ToList();
        var oldPods = _objects.Where(o => o.Key.Resource == "pods" && o.Key.Namespace == ns && Owner(o.Value) == name && o.Value["metadata"]!["labels"]?["pod-template-hash"]?.GetValue<string>() != hash).Select(o => o.Key.Name).ToList();
        var status = new JsonObject { ["observedGeneration"] = generation };
        switch (outcome)
        {
            case Rollout.Succeed:
                foreach (var old in oldPods)
                {
                    Delete("pods", ns, old);
                }

                var current = podsOf(hash);
                foreach (var extra in current.Skip(replicas))
                {
                    Delete("pods", ns, extra);
                }

                for (var i = current.Count; i < replicas; i++)
                {
                    AddPod(ns, name, hash, template, ready: true);
                }

                SetReplicaSets(ns, name, rsName, replicas);
                status["replicas"] = replicas;
                status["updatedReplicas"] = replicas;
                status["readyReplicas"] = replicas;
                status["availableReplicas"] = replicas;
                status["conditions"] = new JsonArray(
                    Condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability."),
                    Condition("Progressing", "True", "NewReplicaSetAvailable", $"ReplicaSet \"{rsName}\" has successfully progressed."));
                break;
            case Rollout.Stall:
                if (podsOf(hash).Count == 0 && replicas > 0)
                {
                    AddPod(ns, name, hash, template, ready: false);
                }

                status["replicas"] = oldPods.Count + 1;
                status["updatedReplicas"] = 1;
                status["readyReplicas"] = oldPods.Count;
                status["availableReplicas"] = oldPods.Count;
                status["unavailableReplicas"] = 1;
                status["conditions"] = new JsonArray(
                    Condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability."),
                    Condition("Progressing", "False", "ProgressDeadlineExceeded", $"ReplicaSet \"{rsName}\" has timed out progressing."));
                break;
            case Rollout.Hold:
                status["replicas"] = oldPods.Count;
                status["updatedReplicas"] = 0;
                status["availableReplicas"] = oldPods.Count;
                status["conditions"] = new JsonArray(Condition("Progressing", "True", "ReplicaSetUpdated", $"ReplicaSet \"{rsName}\" is progressing."));
                break;
        }

        deployment["status"] = status;
    }

    private void SetReplicaSets(string ns, string deployment, string live, int replicas)
    {
        foreach (var (key, rs) in _objects.Where(o => o.Key.Resource == "replicasets" && o.Key.Namespace == ns && Owner(o.Value) == deployment).ToList())
        {
            var n = key.Name == live ? replicas : 0;
            rs["spec"]!["replicas"] = n;
            rs["status"] = new JsonObject { ["replicas"] = n, ["readyReplicas"] = n, ["availableReplicas"] = n, ["observedGeneration"] = 1 };
        }
    }

    private void AddPod(string ns, string owner, string hash, JsonObject template, bool ready)
    {
        var name = $"{owner}-{hash}-{RandomSuffix()}";
        var container = template["spec"]!["containers"]![0]!["name"]!.GetValue<string>();
        var started = Now();
        var containerState = ready
            ? new JsonObject { ["running"] = new JsonObject { ["startedAt"] = started } }
            : new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "CrashLoopBackOff", ["message"] = "back-off 10s restarting failed container" } };
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = ns,
                ["uid"] = Guid.NewGuid().ToString(),
                ["resourceVersion"] = NextVersion(),
                ["creationTimestamp"] = started,
                ["labels"] = WithHash(template["metadata"]?["labels"], hash),
                ["annotations"] = template["metadata"]?["annotations"]?.DeepClone(),
                ["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "ReplicaSet", ["name"] = $"{owner}-{hash}", ["controller"] = true }),
            },
            ["spec"] = template["spec"]!.DeepClone(),
            ["status"] = new JsonObject
            {
                ["phase"] = "Running",
                ["startTime"] = started,
                ["conditions"] = new JsonArray(Condition("Ready", ready ? "True" : "False", ready ? null : "ContainersNotReady", null)),
                ["containerStatuses"] = new JsonArray(new JsonObject
                {
                    ["name"] = container,
                    ["ready"] = ready,
                    ["restartCount"] = ready ? 0 : 3,
                    ["image"] = template["spec"]!["containers"]![0]!["image"]!.DeepClone(),
                    ["state"] = containerState,
                }),
            },
        };
        _objects[("pods", ns, name)] = pod;
        var version = template["metadata"]?["labels"]?["slipway.io/release-version"]?.GetValue<string>() ?? "?";
        _logs[(ns, name)] = new ContainerLog { Lines = { (DateTimeOffset.UtcNow, $"{name} of v{version} listening") } };
        PodChanged("ADDED", ns, pod);
    }

    /// <summary>The Job controller: one pod that ends as <see cref="JobFor"/> says, then the Job's conditions.</summary>
    private void RunJob(string ns, JsonObject job)
    {
        var name = job["metadata"]!["name"]!.GetValue<string>();
        var run = JobFor(job);
        var template = job["spec"]!["template"]!.AsObject();
        var podName = $"{name}-{RandomSuffix()}";
        var labels = (JsonObject)(template["metadata"]?["labels"]?.DeepClone() ?? new JsonObject());
        labels["job-name"] = name;
        labels["batch.kubernetes.io/job-name"] = name;
        var finished = Now();
        var pod = _objects[("pods", ns, podName)] = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["name"] = podName,
                ["namespace"] = ns,
                ["uid"] = Guid.NewGuid().ToString(),
                ["resourceVersion"] = NextVersion(),
                ["creationTimestamp"] = finished,
                ["labels"] = labels,
                ["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = "batch/v1", ["kind"] = "Job", ["name"] = name, ["controller"] = true }),
            },
            ["spec"] = template["spec"]!.DeepClone(),
            ["status"] = new JsonObject
            {
                ["phase"] = run.ExitCode == 0 ? "Succeeded" : "Failed",
                ["containerStatuses"] = new JsonArray(new JsonObject
                {
                    ["name"] = template["spec"]!["containers"]![0]!["name"]!.DeepClone(),
                    ["ready"] = false,
                    ["restartCount"] = 0,
                    ["state"] = new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = run.ExitCode, ["reason"] = run.ExitCode == 0 ? "Completed" : "Error", ["finishedAt"] = finished } },
                }),
            },
        };
        _logs[(ns, podName)] = new ContainerLog { Lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => (DateTimeOffset.UtcNow, l)).ToList() };
        PodChanged("ADDED", ns, pod);
        job["status"] = run.ExitCode == 0
            ? new JsonObject { ["succeeded"] = 1, ["startTime"] = finished, ["completionTime"] = finished, ["conditions"] = new JsonArray(Condition("Complete", "True", null, null)) }
            : new JsonObject { ["failed"] = 1, ["startTime"] = finished, ["conditions"] = new JsonArray(Condition("Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit")) };
    }

    private (int, JsonNode) PodLog(Route route, IQueryCollection query)
    {
        if (!_objects.ContainsKey(("pods", route.Namespace, route.Name!)))
        {
            return StatusOf(404, "NotFound", $"pods \"{route.Name}\" not found", route);
        }

        var lines = LogLines(_logs.GetValueOrDefault((route.Namespace, route.Name!))?.Lines ?? [], query);
        return (200, JsonValue.Create(LogText(lines, query)));
    }

    /// <summary>The lines a log read answers: <c>sinceSeconds</c>, <c>sinceTime</c>, then <c>tailLines</c>.</summary>
    private static List<(DateTimeOffset Time, string Text)> LogLines(List<(DateTimeOffset Time, string Text)> lines, IQueryCollection query)
    {
        IEnumerable<(DateTimeOffset Time, string Text)> result = lines;
        if (int.TryParse(query["sinceSeconds"], CultureInfo.InvariantCulture, out var seconds))
        {
            var since = DateTimeOffset.UtcNow.AddSeconds(-seconds);
            result = result.Where(l => l.Time >= since);
        }

        if (DateTimeOffset.TryParse(query["sinceTime"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var sinceTime))
        {
            result = result.Where(l => l.Time >= sinceTime);
        }

        if (int.TryParse(query["tailLines"], CultureInfo.InvariantCulture, out var tail))
        {
            result = result.TakeLast(tail);
        }

        return result.ToList();
    }

    private static string LogText(IEnumerable<(DateTimeOffset Time, string Text)> lines, IQueryCollection query)
    {
        var timestamps = query["timestamps"] == "true";
        return string.Concat(lines.Select(l => (timestamps ? l.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffff", CultureInfo.InvariantCulture) + "Z " : "") + l.Text + "\n"));
    }

    /// <summary>
    /// <c>GET .../pods/{name}/log?follow=true</c>: the log so far, then each new line as the container
    /// prints it; the stream ends when the container stops (it restarts, or the pod goes), as the kubelet's does.
    /// </summary>
    private async Task FollowLogAsync(HttpContext http, Route route)
    {
        var key = (route.Namespace, route.Name!);
        ContainerLog? log;
        int next;
        string first;
        CancellationToken dropped;
        lock (_gate)
        {
            dropped = _streams.Token;
            log = _objects.ContainsKey(("pods", route.Namespace, route.Name!)) ? _logs.GetValueOrDefault(key) : null;
            next = log?.Lines.Count ?? 0;
            first = log is null ? "" : LogText(LogLines(log.Lines, http.Request.Query), http.Request.Query);
            if (log is not null)
            {
                _followers[key] = _followers.GetValueOrDefault(key) + 1;
            }
        }

        if (log is null)
        {
            await WriteStatusAsync(http, 404, "NotFound", $"pods \"{route.Name}\" not found");
            return;
        }

        try
        {
            using var end = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, Stopping(http), dropped);
            http.Response.StatusCode = 200;
            http.Response.ContentType = "text/plain";
            await http.Response.WriteAsync(first, end.Token);
            await http.Response.Body.FlushAsync(end.Token);
            while (true)
            {
                Task changed;
                List<(DateTimeOffset Time, string Text)> lines;
                lock (_gate)
                {
                    if (!_objects.ContainsKey(("pods", route.Namespace, route.Name!)) || _logs.GetValueOrDefault(key) != log)
                    {
                        return;
                    }

                    lines = log.Lines[next..];
                    next = log.Lines.Count;
                    changed = _changed.Task;
                }

                await http.Response.WriteAsync(LogText(lines, http.Request.Query), end.Token);
                await http.Response.Body.FlushAsync(end.Token);
                await changed.WaitAsync(end.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away, the streams were dropped, or the stand-in stops.
        }
        finally
        {
            lock (_gate)
            {
                _followers[key]--;
            }
        }
    }

    /// <summary>
    /// <c>GET .../pods?watch=true</c>: from <c>resourceVersion</c> on (or, without one, every matching pod as
    /// <c>ADDED</c> first), each change to a pod that matches <c>labelSelector</c> as one JSON line
    /// <c>{"type":"ADDED|MODIFIED|DELETED","object":{...}}</c>, until <c>timeoutSeconds</c> or the client goes.
    /// </summary>
    private async Task WatchPodsAsync(HttpContext http, Route route)
    {
        var query = http.Request.Query;
        var selector = query["labelSelector"].ToString();
        var lines = new List<string>();
        long from;
        CancellationToken dropped;
        lock (_gate)
        {
            dropped = _streams.Token;
            if (!long.TryParse(query["resourceVersion"], CultureInfo.InvariantCulture, out from) || from == 0)
            {
                from = _resourceVersion;
                foreach (var ((resource, ns, _), o) in _objects.OrderBy(o => o.Key.Name, StringComparer.Ordinal))
                {
                    if (resource == "pods" && ns == route.Namespace && Matches(o, selector))
                    {
                        lines.Add(WatchEvent("ADDED", o));
                    }
                }
            }
        }

        using var end = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, Stopping(http), dropped);
        if (int.TryParse(query["timeoutSeconds"], CultureInfo.InvariantCulture, out var timeout) && timeout > 0)
        {
            end.CancelAfter(TimeSpan.FromSeconds(timeout));
        }

        http.Response.StatusCode = 200;
        http.Response.ContentType = "application/json";
        try
        {
            while (true)
            {
                await http.Response.WriteAsync(string.Concat(lines), end.Token);
                await http.Response.Body.FlushAsync(end.Token);
                Task changed;
                lock (_gate)
                {
                    lines = _podEvents
                        .Where(e => e.Version > from && e.Namespace == route.Namespace && Matches(e.Pod, selector))
                        .Select(e => WatchEvent(e.Type, e.Pod))
                        .ToList();
                    from = _resourceVersion;
                    changed = lines.Count > 0 ? Task.CompletedTask : _changed.Task;
                }

                await changed.WaitAsync(end.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The watch timed out, the client went away, the streams were dropped or the stand-in stops: the stream ends, as the API server's does.
        }
    }

    private static string WatchEvent(string type, JsonObject pod) =>
        new JsonObject { ["type"] = type, ["object"] = pod.DeepClone() }.ToJsonString() + "\n";

    private static CancellationToken Stopping(HttpContext http) =>
        http.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;

    /// <summary>Keeps a pod's change for watches (a copy, as it is now) and wakes them.</summary>
    private void PodChanged(string type, string ns, JsonObject pod)
    {
        _podEvents.Add((long.Parse(pod["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture), ns, type, (JsonObject)pod.DeepClone()));
        Changed();
    }

    private void Changed()
    {
        _changed.TrySetResult();
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Removes an object; a pod's removal is a <c>DELETED</c> event, and its container's log stream ends.</summary>
    private void Remove((string Resource, string Namespace, string Name) key)
    {
        if (_objects.Remove(key, out var removed) && key.Resource == "pods")
        {
            removed["metadata"]!["resourceVersion"] = NextVersion();
            PodChanged("DELETED", key.Namespace, removed);
        }
    }

    private void Delete(string resource, string ns, string name)
    {
        Remove((resource, ns, name));
        switch (resource)
        {
            case "namespaces":
                foreach (var key in _objects.Keys.Where(k => k.Namespace == name && Kinds[k.Resource].Namespaced).ToList())
                {
                    Remove(key);
                }

                break;
            case "deployments":
                foreach (var (key, _) in _objects.Where(o => o.Key.Namespace == ns && o.Key.Resource is "replicasets" or "pods" && Owner(o.Value) == name).ToList())
                {
                    Remove(key);
                }

                break;
            case "jobs":
                foreach (var (key, _) in _objects.Where(o => o.Key.Namespace == ns && o.Key.Resource == "pods" && o.Value["metadata"]!["labels"]?["job-name"]?.GetValue<string>() == name).ToList())
                {
                    Remove(key);
                }

                break;
        }
    }

    /// <summary>The schema subset the stand-in implements; every problem is reported the way the API server words it.</summary>
    private static List<string> Validate(Route route, Kind kind, JsonObject o, JsonObject? previous)
    {
        var problems = new List<string>();
        if (o["apiVersion"]?.GetValue<string>() != kind.ApiVersion)
        {
            problems.Add($"apiVersion: Invalid value: \"{o["apiVersion"]}\": must be {kind.ApiVersion}");
        }

        if (o["kind"]?.GetValue<string>() != kind.Name)
        {
            problems.Add($"kind: Invalid value: \"{o["kind"]}\": must be {kind.Name}");
        }

        var name = o["metadata"]?["name"]?.GetValue<string>();
        var labelName = route.Resource is "namespaces" or "services";
        if (name is null)
        {
            problems.Add("metadata.name: Required value: name is required");
        }
        else if (labelName ? !(name.Length <= 63 && Dns1123Label().IsMatch(name) && (route.Resource != "services" || char.IsAsciiLetter(name[0])))
                           : !(name.Length <= 253 && Dns1123Subdomain().IsMatch(name)))
        {
            problems.Add($"metadata.name: Invalid value: \"{name}\": a lowercase RFC 1123 {(labelName ? "label" : "subdomain")} must consist of lower case alphanumeric characters, '-' or '.'");
        }

        if (o["metadata"]?["namespace"]?.GetValue<string>() is { } ns && kind.Namespaced && ns != route.Namespace)
        {
            problems.Add($"metadata.namespace: Invalid value: \"{ns}\": does not match the namespace of the request");
        }

        ValidateLabels(o["metadata"]?["labels"], "metadata.labels", problems);
        var spec = o["spec"];
        switch (route.Resource)
        {
            case "secrets":
                if (o["data"] is JsonObject data)
                {
                    foreach (var (key, value) in data)
                    {
                        if (!ConfigKey().IsMatch(key))
                        {
                            problems.Add($"data[{key}]: Invalid value: \"{key}\": a valid config key must consist of alphanumeric characters, '-', '_' or '.'");
                        }

                        if (value?.GetValueKind() != JsonValueKind.String || !IsBase64(value.GetValue<string>()))
                        {
                            problems.Add($"data[{key}]: Invalid value: must be base64-encoded bytes");
                        }
                    }
                }

                break;
            case "deployments":
                if (spec is null)
                {
                    problems.Add("spec: Required value");
                    break;
                }

                if (spec["replicas"] is { } replicas && replicas.GetValue<int>() < 0)
                {
                    problems.Add("spec.replicas: Invalid value: must be greater than or equal to 0");
                }

                var matchLabels = spec["selector"]?["matchLabels"] as JsonObject;
                if (matchLabels is null || matchLabels.Count == 0)
                {
                    problems.Add("spec.selector: Required value");
                }
                else
                {
                    var templateLabels = spec["template"]?["metadata"]?["labels"] as JsonObject;
                    if (matchLabels.Any(l => templateLabels?[l.Key]?.GetValue<string>() != l.Value?.GetValue<string>()))
                    {
                        problems.Add("spec.template.metadata.labels: Invalid value: `selector` does not match template `labels`");
                    }

                    if (previous is not null && !JsonNode.DeepEquals(previous["spec"]?["selector"], spec["selector"]))
                    {
                        problems.Add("spec.selector: Invalid value: field is immutable");
                    }
                }

                ValidatePodTemplate(spec["template"], "spec.template", ["Always"], problems);
                break;
            case "jobs":
                if (spec is null)
                {
                    problems.Add("spec: Required value");
                    break;
                }

                if (previous is not null && !JsonNode.DeepEquals(previous["spec"]?["template"], spec["template"]))
                {
                    problems.Add("spec.template: Invalid value: field is immutable");
                }

                ValidatePodTemplate(spec["template"], "spec.template", ["Never", "OnFailure"], problems);
                break;
            case "services":
                if (spec?["ports"] is not JsonArray { Count: > 0 } ports)
                {
                    problems.Add("spec.ports: Required value");
                    break;
                }

                foreach (var port in ports)
                {
                    if (port?["port"]?.GetValue<int>() is not (>= 1 and <= 65535))
                    {
                        problems.Add("spec.ports[0].port: Invalid value: must be between 1 and 65535, inclusive");
                    }
                }

                break;
            case "ingresses":
                foreach (var rule in spec?["rules"] as JsonArray ?? [])
                {
                    foreach (var path in rule?["http"]?["paths"] as JsonArray ?? [])
                    {
                        if (path?["pathType"]?.GetValue<string>() is not ("Exact" or "Prefix" or "ImplementationSpecific"))
                        {
                            problems.Add("spec.rules[0].http.paths[0].pathType: Unsupported value: supported values: \"Exact\", \"ImplementationSpecific\", \"Prefix\"");
                        }

                        if (string.IsNullOrEmpty(path?["backend"]?["service"]?["name"]?.GetValue<string>()))
                        {
                            problems.Add("spec.rules[0].http.paths[0].backend: Invalid value: one backend must be specified");
                        }
                    }
                }

                break;
        }

        return problems;
    }

    private static void ValidatePodTemplate(JsonNode? template, string at, string[] restartPolicies, List<string> problems)
    {
        ValidateLabels(template?["metadata"]?["labels"], $"{at}.metadata.labels", problems);
        var podSpec = template?["spec"];
        var restartPolicy = podSpec?["restartPolicy"]?.GetValue<string>() ?? "Always";
        if (!restartPolicies.Contains(restartPolicy))
        {
            problems.Add($"{at}.spec.restartPolicy: Unsupported value: \"{restartPolicy}\": supported values: {string.Join(", ", restartPolicies.Select(p => $"\"{p}\""))}");
        }

        if (podSpec?["containers"] is not JsonArray { Count: > 0 } containers)
        {
            problems.Add($"{at}.spec.containers: Required value");
            return;
        }

        var volumes = (podSpec["volumes"] as JsonArray ?? []).Select(v => v?["name"]?.GetValue<string>()).ToHashSet();
        for (var i = 0; i < containers.Count; i++)
        {
            var c = containers[i];
            var cat = $"{at}.spec.containers[{i}]";
            if (c?["name"]?.GetValue<string>() is not { } cname || cname.Length > 63 || !Dns1123Label().IsMatch(cname))
            {
                problems.Add($"{cat}.name: Invalid value: a lowercase RFC 1123 label is required");
            }

            if (string.IsNullOrWhiteSpace(c?["image"]?.GetValue<string>()))
            {
                problems.Add($"{cat}.image: Required value");
            }

            foreach (var env in c?["env"] as JsonArray ?? [])
            {
                if (env?["name"]?.GetValue<string>() is not { } ename || !EnvName().IsMatch(ename))
                {
                    problems.Add($"{cat}.env[].name: Invalid value: \"{env?["name"]}\": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit");
                }

                if (env?["value"] is not null && env["valueFrom"] is not null)
                {
                    problems.Add($"{cat}.env[].valueFrom: Invalid value: may not be specified when `value` is not empty");
                }
            }

            foreach (var from in c?["envFrom"] as JsonArray ?? [])
            {
                if (from?["secretRef"] is { } secretRef && string.IsNullOrEmpty(secretRef["name"]?.GetValue<string>()))
                {
                    problems.Add($"{cat}.envFrom[].secretRef.name: Required value");
                }
            }

            foreach (var mount in c?["volumeMounts"] as JsonArray ?? [])
            {
                if (!volumes.Contains(mount?["name"]?.GetValue<string>()))
                {
                    problems.Add($"{cat}.volumeMounts[].name: Not found: \"{mount?["name"]}\"");
                }
            }
        }
    }

    private static void ValidateLabels(JsonNode? labels, string at, List<string> problems)
    {
        foreach (var (key, value) in labels as JsonObject ?? [])
        {
            var text = value?.GetValue<string>() ?? "";
            var keyName = key.Contains('/', StringComparison.Ordinal) ? key[(key.IndexOf('/', StringComparison.Ordinal) + 1)..] : key;
            if (keyName.Length is 0 or > 63 || !LabelValue().IsMatch(keyName))
            {
                problems.Add($"{at}: Invalid value: \"{key}\": name part must consist of alphanumeric characters, '-', '_' or '.'");
            }

            if (text.Length > 63 || !LabelValue().IsMatch(text))
            {
                problems.Add($"{at}: Invalid value: \"{text}\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
            }
        }
    }

    private static bool Matches(JsonObject o, string selector)
    {
        var labels = o["metadata"]?["labels"] as JsonObject;
        string? Label(string key) => labels?[key]?.GetValue<string>();
        foreach (var term in selector.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var ok = term switch
            {
                _ when term.Contains("!=", StringComparison.Ordinal) => Label(term[..term.IndexOf("!=", StringComparison.Ordinal)]) != term[(term.IndexOf("!=", StringComparison.Ordinal) + 2)..],
                _ when term.Contains("==", StringComparison.Ordinal) => Label(term[..term.IndexOf("==", StringComparison.Ordinal)]) == term[(term.IndexOf("==", StringComparison.Ordinal) + 2)..],
                _ when term.Contains('=', StringComparison.Ordinal) => Label(term[..term.IndexOf('=', StringComparison.Ordinal)]) == term[(term.IndexOf('=', StringComparison.Ordinal) + 1)..],
                _ when term.StartsWith('!') => Label(term[1..]) is null,
                _ => Label(term) is not null,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>RFC 7386: objects merge key by key, null removes, anything else replaces.</summary>
    private static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                var merged = MergePatch(result[key]?.DeepClone(), value);
                result[key] = merged;
            }
        }

        return result;
    }

    private static bool TryRoute(string path, out Route route)
    {
        route = default!;
        var parts = path.Trim('/').Split('/');
        string group;
        int rest;
        if (parts is ["api", "v1", ..])
        {
            group = "";
            rest = 2;
        }
        else if (parts.Length >= 3 && parts[0] == "apis")
        {
            group = parts[1];
            rest = 3;
            if (parts[2] != "v1")
            {
                return false;
            }
        }
        else
        {
            return false;
        }

        var tail = parts[rest..];
        Route? found = tail switch
        {
            ["namespaces"] when group == "" => new Route("namespaces", "", null, null),
            ["namespaces", var n] when group == "" => new Route("namespaces", "", n, null),
            ["namespaces", var ns, var resource] => new Route(resource, ns, null, null),
            ["namespaces", var ns, var resource, var n] => new Route(resource, ns, n, null),
            ["namespaces", var ns, "pods", var n, "log"] when group == "" => new Route("pods", ns, n, "log"),
            _ => null,
        };
        if (found is null || !Kinds.TryGetValue(found.Resource, out var kind) || kind.Group != group)
        {
            return false;
        }

        route = found;
        return true;
    }

    private static JsonNode WithHash(JsonNode? labels, string hash)
    {
        var copy = (JsonObject)(labels?.DeepClone() ?? new JsonObject());
        copy["pod-template-hash"] = hash;
        return copy;
    }

    private static JsonObject WithTemplateHash(JsonObject template, string hash)
    {
        var copy = (JsonObject)template.DeepClone();
        copy["metadata"] ??= new JsonObject();
        copy["metadata"]!["labels"] = WithHash(copy["metadata"]!["labels"], hash);
        return copy;
    }

    private static string? Owner(JsonObject o)
    {
        var owner = o["metadata"]?["ownerReferences"]?[0]?["name"]?.GetValue<string>();
        if (o["kind"]?.GetValue<string>() == "Pod" && owner is not null && o["metadata"]!["labels"]?["pod-template-hash"]?.GetValue<string>() is { } hash && owner.EndsWith("-" + hash, StringComparison.Ordinal))
        {
            return owner[..^(hash.Length + 1)];
        }

        return owner;
    }

    private static JsonObject Condition(string type, string status, string? reason, string? message) => new()
    {
        ["type"] = type,
        ["status"] = status,
        ["reason"] = reason,
        ["message"] = message,
        ["lastTransitionTime"] = Now(),
        ["lastUpdateTime"] = Now(),
    };

    private static (int, JsonNode) Invalid(Kind kind, string name, List<string> problems) =>
        (422, new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = $"{kind.Name} \"{name}\" is invalid: {string.Join(", ", problems)}",
            ["reason"] = "Invalid",
            ["details"] = new JsonObject { ["name"] = name, ["kind"] = kind.Name.ToLowerInvariant(), ["causes"] = new JsonArray([.. problems.Select(p => (JsonNode)new JsonObject { ["message"] = p })]) },
            ["code"] = 422,
        });

    private static (int, JsonNode) StatusOf(int code, string reason, string message, Route? route = null) =>
        (code, new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["details"] = route is null ? null : new JsonObject { ["name"] = route.Name, ["kind"] = route.Resource },
            ["code"] = code,
        });

    private static Task WriteStatusAsync(HttpContext http, int code, string reason, string message)
    {
        http.Response.StatusCode = code;
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(StatusOf(code, reason, message).Item2.ToJsonString());
    }

    private static bool IsBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out _);
    }

    private static string Now() => DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string RandomSuffix() => new(Enumerable.Range(0, 5).Select(_ => "bcdfghjklmnpqrstvwxz2456789"[RandomNumberGenerator.GetInt32(27)]).ToArray());

    private string NextVersion() => (++_resourceVersion).ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();

    [GeneratedRegex("^[-._a-zA-Z0-9]+$")]
    private static partial Regex ConfigKey();

    [GeneratedRegex("^[-._a-zA-Z][-._a-zA-Z0-9]*$")]
    private static partial Regex EnvName();

    private sealed record Kind(string Group, string Version, string Name, bool Namespaced)
    {
        public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
    }

    private sealed record Route(string Resource, string Namespace, string? Name, string? Sub);

    /// <summary>What one run of a pod's container printed; a restarted container writes a new one.</summary>
    private sealed class ContainerLog
    {
        public List<(DateTimeOffset Time, string Text)> Lines { get; init; } = [];
    }
}
