using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Slipway.Server.Addons.BuiltIn;

/// <summary>
/// Serves the built-in brokers over the Open Service Broker API at <c>/brokers/{broker}/v2/...</c>,
/// with basic auth and the API version header checked, so Slipway calls them exactly as it
/// calls any other broker.
/// </summary>
public static partial class BuiltInBrokersApi
{
    public static IEndpointRouteBuilder MapBuiltInBrokersApi(this IEndpointRouteBuilder routes)
    {
        var broker = routes.MapGroup("/brokers/{broker}/v2")
            .AllowAnonymous()
            .ExcludeFromDescription()
            .AddEndpointFilter(GuardAsync);
        broker.MapGet("/catalog", Catalog);
        broker.MapPut("/service_instances/{instance:guid}", ProvisionAsync);
        broker.MapGet("/service_instances/{instance:guid}/last_operation", LastOperationAsync);
        broker.MapDelete("/service_instances/{instance:guid}", DeprovisionAsync);
        broker.MapPut("/service_instances/{instance:guid}/service_bindings/{binding:guid}", BindAsync);
        broker.MapDelete("/service_instances/{instance:guid}/service_bindings/{binding:guid}", UnbindAsync);
        return routes;
    }

    /// <summary>Answers for every route: which broker, whether it can work, who is calling, in which OSB version.</summary>
    private static async ValueTask<object?> GuardAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var brokers = http.RequestServices.GetRequiredService<BuiltInBrokers>();
        var name = http.GetRouteValue("broker") as string ?? "";
        var broker = brokers.Find(name);
        if (broker is null)
        {
            return Error(StatusCodes.Status404NotFound, "NotFound", $"There is no built-in broker '{name}'.");
        }

        if (!Authenticated(http.Request.Headers.Authorization, brokers))
        {
            http.Response.Headers.WWWAuthenticate = "Basic realm=\"slipway-brokers\"";
            return Error(StatusCodes.Status401Unauthorized, "Unauthorized", "Basic auth with the built-in brokers' credentials is required.");
        }

        if (!Osb.IsSupportedVersion(http.Request.Headers[Osb.ApiVersionHeader]))
        {
            return Error(StatusCodes.Status412PreconditionFailed, "PreconditionFailed", $"{Osb.ApiVersionHeader} must be 2.13 or a later 2.x version.");
        }

        if (broker.MissingConfiguration is { } missing)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, "Unavailable", missing);
        }

        try
        {
            return await next(context);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BuiltInBrokersApi));
            LogBrokerFailed(logger, name, e);
            return Error(StatusCodes.Status500InternalServerError, "InternalError", $"The {name} broker failed: {e.Message}");
        }
    }

    private static JsonHttpResult<OsbCatalog> Catalog(string broker, BuiltInBrokers brokers) =>
        TypedResults.Json(new OsbCatalog([brokers.Find(broker)!.Service]), Osb.Json);

    private static async Task<Results<JsonHttpResult<OsbProvisionResponse>, JsonHttpResult<OsbError>>> ProvisionAsync(
        string broker, Guid instance, OsbProvisionRequest request, BuiltInBrokers brokers, CancellationToken ct)
    {
        var builtIn = brokers.Find(broker)!;
        if (PlanProblem(builtIn, request.ServiceId, request.PlanId) is { } problem)
        {
            return problem;
        }

        var created = await builtIn.ProvisionAsync(instance, ct);
        return TypedResults.Json(new OsbProvisionResponse(), Osb.Json, statusCode: created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    /// <summary>Built-in brokers finish every operation before they answer, so an instance that exists has succeeded.</summary>
    private static async Task<Results<JsonHttpResult<OsbLastOperation>, JsonHttpResult<OsbError>>> LastOperationAsync(
        string broker, Guid instance, BuiltInBrokers brokers, CancellationToken ct) =>
        await brokers.Find(broker)!.ExistsAsync(instance, ct)
            ? TypedResults.Json(new OsbLastOperation(OsbLastOperation.Succeeded), Osb.Json)
            : Error(StatusCodes.Status410Gone, "Gone", $"Instance {instance} does not exist.");

    private static async Task<JsonHttpResult<object>> DeprovisionAsync(string broker, Guid instance, BuiltInBrokers brokers, CancellationToken ct) =>
        await brokers.Find(broker)!.DeprovisionAsync(instance, ct)
            ? TypedResults.Json<object>(new { }, Osb.Json)
            : TypedResults.Json<object>(new { }, Osb.Json, statusCode: StatusCodes.Status410Gone);

    private static async Task<Results<JsonHttpResult<OsbBindResponse>, JsonHttpResult<OsbError>>> BindAsync(
        string broker, Guid instance, Guid binding, OsbBindRequest request, BuiltInBrokers brokers, CancellationToken ct)
    {
        var builtIn = brokers.Find(broker)!;
        if (PlanProblem(builtIn, request.ServiceId, request.PlanId) is { } problem)
        {
            return problem;
        }

        if (!await builtIn.ExistsAsync(instance, ct))
        {
            return Error(StatusCodes.Status404NotFound, "NotFound", $"Instance {instance} does not exist.");
        }

        var credentials = await builtIn.BindAsync(instance, binding, ct);
        var json = credentials.ToDictionary(kv => kv.Key, kv => System.Text.Json.JsonSerializer.SerializeToElement(kv.Value));
        return TypedResults.Json(new OsbBindResponse(json), Osb.Json, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<JsonHttpResult<object>> UnbindAsync(string broker, Guid instance, Guid binding, BuiltInBrokers brokers, CancellationToken ct)
    {
        var builtIn = brokers.Find(broker)!;
        if (!await builtIn.ExistsAsync(instance, ct))
        {
            return TypedResults.Json<object>(new { }, Osb.Json, statusCode: StatusCodes.Status410Gone);
        }

        await builtIn.UnbindAsync(instance, binding, ct);
        return TypedResults.Json<object>(new { }, Osb.Json);
    }

    private static JsonHttpResult<OsbError>? PlanProblem(IBuiltInBroker broker, string? serviceId, string? planId) =>
        serviceId != broker.Service.Id || broker.Service.Plans?.Any(p => p.Id == planId) != true
            ? Error(StatusCodes.Status400BadRequest, "BadRequest", $"service_id and plan_id must name the {broker.Service.Name} service and one of its plans.")
            : null;

    private static bool Authenticated(string? header, BuiltInBrokers brokers)
    {
        if (!AuthenticationHeaderValue.TryParse(header, out var value) || !value.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) || value.Parameter is null)
        {
            return false;
        }

        string pair;
        try
        {
            pair = Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter));
        }
        catch (FormatException)
        {
            return false;
        }

        var colon = pair.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && brokers.Accepts(pair[..colon], pair[(colon + 1)..]);
    }

    private static JsonHttpResult<OsbError> Error(int status, string error, string description) =>
        TypedResults.Json(new OsbError(error, description), Osb.Json, statusCode: status);

    [LoggerMessage(Level = LogLevel.Error, Message = "The built-in broker {Broker} failed")]
    private static partial void LogBrokerFailed(ILogger logger, string broker, Exception exception);
}
