using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Slipway.Server.Tests.Addons;

/// <summary>
/// A service broker speaking the Open Service Broker API over real HTTP on 127.0.0.1, told by
/// the plan what to do: <c>ok</c>, <c>async</c> (two polls in progress, then done),
/// <c>async-fail</c>, <c>never</c> (always in progress; the plan allows 1 s of polling),
/// <c>hold</c> (in progress until <see cref="Release"/>), <c>reject</c> (422), <c>fail-provision</c>
/// (makes the instance, then answers 500), <c>slow</c> (makes the instance, then never answers),
/// <c>fail-bind</c>, <c>fail-deprovision</c> (until <see cref="Heal"/>). It keeps the instances it
/// holds, so a test can see what a failure left behind.
/// </summary>
public sealed class TestBroker : IAsyncDisposable
{
    public const string Username = "osb-user";
    public const string Password = "osb-secret";
    public const string Service = "testdb";

    public static readonly string[] Plans = ["ok", "async", "async-fail", "never", "hold", "reject", "fail-provision", "slow", "fail-bind", "fail-deprovision"];

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _holds = new();
    private readonly ConcurrentDictionary<string, bool> _healed = new();

    private TestBroker(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>Plans offered besides <see cref="Plans"/>, as a broker whose catalog changes.</summary>
    public ConcurrentQueue<string> ExtraPlans { get; } = new();

    /// <summary>When set, the catalog answers 500.</summary>
    public bool FailCatalog { get; set; }

    /// <summary>Instance id → plan name, for every instance the broker holds now.</summary>
    public ConcurrentDictionary<string, string> Instances { get; } = new();

    /// <summary>Binding ids the broker holds now.</summary>
    public ConcurrentDictionary<string, string> Bindings { get; } = new();

    /// <summary>Every request, as "METHOD path".</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    private ConcurrentDictionary<string, int> Polls { get; } = new();

    public static async Task<TestBroker> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        TestBroker? broker = null;
        app.Use(async (context, next) =>
        {
            broker!.Requests.Enqueue($"{context.Request.Method} {context.Request.Path}");
            if (!Authorized(context.Request.Headers.Authorization))
            {
                await Error(context, 401, "Unauthorized", "bad credentials");
                return;
            }

            if (context.Request.Headers["X-Broker-API-Version"] != "2.13")
            {
                await Error(context, 412, "PreconditionFailed", "X-Broker-API-Version 2.13 expected");
                return;
            }

            await next(context);
        });
        app.MapGet("/v2/catalog", () => broker!.FailCatalog
            ? Results.Json(new { description = "catalog store offline" }, statusCode: 500)
            : Results.Json(Catalog(broker.ExtraPlans)));
        app.MapPut("/v2/service_instances/{id}", (string id, JsonObject body, HttpContext context) => broker!.ProvisionAsync(id, body, context));
        app.MapGet("/v2/service_instances/{id}/last_operation", (string id, string? operation) => broker!.LastOperation(id, operation));
        app.MapDelete("/v2/service_instances/{id}", (string id) => broker!.Deprovision(id));
        app.MapPut("/v2/service_instances/{id}/service_bindings/{binding}", (string id, string binding) => broker!.Bind(id, binding));
        app.MapDelete("/v2/service_instances/{id}/service_bindings/{binding}", (string id, string binding) =>
            broker!.Bindings.TryRemove(binding, out _) ? Results.Json(new { }) : Results.Json(new { }, statusCode: 410));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        broker = new TestBroker(app, new Uri(address + "/"));
        return broker;
    }

    /// <summary>Lets a <c>hold</c> provision of <paramref name="instanceId"/> finish.</summary>
    public void Release(Guid instanceId) => HoldOf(instanceId.ToString()).TrySetResult();

    /// <summary>Lets a <c>fail-deprovision</c> instance be deprovisioned from now on.</summary>
    public void Heal(Guid instanceId) => _healed[instanceId.ToString()] = true;

    public bool Holds(Guid instanceId) => Instances.ContainsKey(instanceId.ToString());

    public int PollsOf(Guid instanceId) => Polls.GetValueOrDefault(instanceId.ToString());

    public async ValueTask DisposeAsync()
    {
        foreach (var hold in _holds.Values)
        {
            hold.TrySetResult();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static object Catalog(IEnumerable<string> extraPlans) => new
    {
        services = new[]
        {
            new
            {
                id = "svc-testdb",
                name = Service,
                description = "A database that does what the plan says.",
                bindable = true,
                plans = Plans.Concat(extraPlans).Select(p => new Dictionary<string, object>
                {
                    ["id"] = "plan-" + p,
                    ["name"] = p,
                    ["description"] = "Behaves: " + p,
                    ["free"] = true,
                    ["maximum_polling_duration"] = p == "never" ? 1 : 60,
                }).ToArray(),
            },
        },
    };

    private async Task<IResult> ProvisionAsync(string id, JsonObject body, HttpContext context)
    {
        var plan = PlanOf(body["plan_id"]?.GetValue<string>());
        if (body["service_id"]?.GetValue<string>() != "svc-testdb" || plan is null || context.Request.Query["accepts_incomplete"] != "true")
        {
            return Results.Json(new { error = "BadRequest", description = "unknown service or plan, or accepts_incomplete missing" }, statusCode: 400);
        }

        switch (plan)
        {
            case "reject":
                return Results.Json(new { error = "ValidationFailed", description = "region is required" }, statusCode: 422);
            case "fail-provision":
                Instances[id] = plan;
                return Results.Json(new { description = "backend exploded" }, statusCode: 500);
            case "slow":
                Instances[id] = plan;
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return Results.Json(new { }, statusCode: 201);
            case "async" or "async-fail" or "never" or "hold":
                Instances[id] = plan;
                return Results.Json(new { operation = "provision-" + id }, statusCode: 202);
            default:
                Instances[id] = plan;
                return Results.Json(new { dashboard_url = $"https://testdb.example/{id}" }, statusCode: 201);
        }
    }

    private IResult LastOperation(string id, string? operation)
    {
        var polls = Polls.AddOrUpdate(id, 1, (_, n) => n + 1);
        if (!Instances.TryGetValue(id, out var plan))
        {
            return Results.Json(new { }, statusCode: 410);
        }

        if (operation == "deprovision-" + id)
        {
            Instances.TryRemove(id, out _);
            return Results.Json(new { state = "in progress" });
        }

        return plan switch
        {
            "async" when polls <= 2 => Results.Json(new { state = "in progress", description = $"poll {polls}" }),
            "async-fail" => Results.Json(new { state = "failed", description = "disk full" }),
            "never" => Results.Json(new { state = "in progress" }),
            "hold" when !HoldOf(id).Task.IsCompleted => Results.Json(new { state = "in progress" }),
            _ => Results.Json(new { state = "succeeded" }),
        };
    }

    private IResult Deprovision(string id)
    {
        if (!Instances.TryGetValue(id, out var plan))
        {
            return Results.Json(new { }, statusCode: 410);
        }

        if (plan == "fail-deprovision" && !_healed.ContainsKey(id))
        {
            return Results.Json(new { error = "InternalError", description = "the disk is stuck" }, statusCode: 500);
        }

        if (plan == "async")
        {
            // Gone at the next poll: last_operation then answers 410, which ends a deprovision.
            return Results.Json(new { operation = "deprovision-" + id }, statusCode: 202);
        }

        Instances.TryRemove(id, out _);
        return Results.Json(new { });
    }

    private IResult Bind(string id, string binding)
    {
        if (!Instances.TryGetValue(id, out var plan))
        {
            return Results.Json(new { error = "NotFound", description = "no such instance" }, statusCode: 404);
        }

        if (plan == "fail-bind")
        {
            Bindings[binding] = id;
            return Results.Json(new { description = "cannot make users today" }, statusCode: 500);
        }

        Bindings[binding] = id;
        return Results.Json(new { credentials = new { testdb_url = $"testdb://u:p@127.0.0.1/{id}", port_number = 5432 } }, statusCode: 201);
    }

    private TaskCompletionSource HoldOf(string id) => _holds.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private static string? PlanOf(string? planId) => planId is not null && planId.StartsWith("plan-", StringComparison.Ordinal) && Plans.Contains(planId[5..]) ? planId[5..] : null;

    private static bool Authorized(string? header) =>
        AuthenticationHeaderValue.TryParse(header, out var value)
        && value.Scheme == "Basic"
        && value.Parameter == Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}"));

    private static Task Error(HttpContext context, int status, string error, string description)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { error, description }));
    }
}
