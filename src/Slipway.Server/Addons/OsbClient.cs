using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Slipway.Server.Addons;

/// <summary>
/// Calls one broker over the Open Service Broker API: basic auth, <c>X-Broker-API-Version</c>,
/// a timeout per call, and every failure turned into a <see cref="BrokerException"/> that says
/// which broker and which step. Built-in brokers are called through this same client.
/// </summary>
public sealed class OsbClient
{
    private readonly HttpClient _http;
    private readonly AddonOptions _options;

    public OsbClient(HttpClient http, IOptions<AddonOptions> options)
    {
        _http = http;
        _http.Timeout = Timeout.InfiniteTimeSpan;
        _options = options.Value;
    }

    public async Task<OsbCatalog> CatalogAsync(Broker broker, CancellationToken ct)
    {
        var answer = await SendAsync(broker, HttpMethod.Get, "v2/catalog", null, "fetch the catalog", ct);
        answer.ThrowUnless(HttpStatusCode.OK);
        var catalog = answer.Read<OsbCatalog>();
        var services = (catalog.Services ?? [])
            .Where(s => !string.IsNullOrEmpty(s.Id) && !string.IsNullOrEmpty(s.Name))
            .Select(s => s with { Plans = [.. (s.Plans ?? []).Where(p => !string.IsNullOrEmpty(p.Id) && !string.IsNullOrEmpty(p.Name))] })
            .ToList();
        return new OsbCatalog(services);
    }

    /// <summary>Asks for an instance; answers the operation to poll when the broker works asynchronously.</summary>
    public async Task<(bool Async, string? Operation, string? DashboardUrl)> ProvisionAsync(Broker broker, Guid instanceId, OsbProvisionRequest request, CancellationToken ct)
    {
        var answer = await SendAsync(broker, HttpMethod.Put, $"v2/service_instances/{instanceId}?accepts_incomplete=true", request, "provision", ct);
        answer.ThrowUnless(HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.Accepted);
        var body = answer.ReadOrDefault<OsbProvisionResponse>() ?? new OsbProvisionResponse();
        return (answer.Status == HttpStatusCode.Accepted, body.Operation, body.DashboardUrl);
    }

    /// <summary>The state of the instance's operation; null state means the broker no longer knows the instance (410).</summary>
    public async Task<(string? State, string? Description, TimeSpan? RetryAfter)> LastOperationAsync(
        Broker broker, Guid instanceId, string serviceId, string planId, string? operation, string step, CancellationToken ct)
    {
        var query = Query(("service_id", serviceId), ("plan_id", planId), ("operation", operation));
        var answer = await SendAsync(broker, HttpMethod.Get, $"v2/service_instances/{instanceId}/last_operation?{query}", null, step, ct);
        if (answer.Status == HttpStatusCode.Gone)
        {
            return (null, null, null);
        }

        answer.ThrowUnless(HttpStatusCode.OK);
        var body = answer.Read<OsbLastOperation>();
        if (body.State is not (OsbLastOperation.InProgress or OsbLastOperation.Succeeded or OsbLastOperation.Failed))
        {
            throw new BrokerException(BrokerFailure.BadResponse, $"The add-on broker '{broker.Name}' answered {step} with an unknown state '{body.State}'.");
        }

        return (body.State, body.Description, answer.RetryAfter);
    }

    /// <summary>Creates the binding and answers its credentials.</summary>
    public async Task<Dictionary<string, JsonElement>> BindAsync(Broker broker, Guid instanceId, Guid bindingId, OsbBindRequest request, CancellationToken ct)
    {
        var answer = await SendAsync(broker, HttpMethod.Put, $"v2/service_instances/{instanceId}/service_bindings/{bindingId}", request, "bind", ct);
        answer.ThrowUnless(HttpStatusCode.OK, HttpStatusCode.Created);
        return answer.ReadOrDefault<OsbBindResponse>()?.Credentials ?? [];
    }

    /// <summary>Removes the binding; a binding the broker does not know (410) counts as removed.</summary>
    public async Task UnbindAsync(Broker broker, Guid instanceId, Guid bindingId, string serviceId, string planId, CancellationToken ct)
    {
        var query = Query(("service_id", serviceId), ("plan_id", planId));
        var answer = await SendAsync(broker, HttpMethod.Delete, $"v2/service_instances/{instanceId}/service_bindings/{bindingId}?{query}", null, "unbind", ct);
        answer.ThrowUnless(HttpStatusCode.OK, HttpStatusCode.Gone);
    }

    /// <summary>Removes the instance; answers the operation to poll when the broker works asynchronously, null when done.</summary>
    public async Task<(bool Async, string? Operation)> DeprovisionAsync(Broker broker, Guid instanceId, string serviceId, string planId, CancellationToken ct)
    {
        var query = Query(("service_id", serviceId), ("plan_id", planId), ("accepts_incomplete", "true"));
        var answer = await SendAsync(broker, HttpMethod.Delete, $"v2/service_instances/{instanceId}?{query}", null, "deprovision", ct);
        answer.ThrowUnless(HttpStatusCode.OK, HttpStatusCode.Accepted, HttpStatusCode.Gone);
        return answer.Status == HttpStatusCode.Accepted ? (true, answer.ReadOrDefault<OsbProvisionResponse>()?.Operation) : (false, null);
    }

    private async Task<Answer> SendAsync(Broker broker, HttpMethod method, string path, object? body, string step, CancellationToken ct)
    {
        var baseUrl = broker.Url.AbsoluteUri.EndsWith('/') ? broker.Url : new Uri(broker.Url.AbsoluteUri + "/");
        using var request = new HttpRequestMessage(method, new Uri(baseUrl, path));
        request.Headers.Add(Osb.ApiVersionHeader, Osb.ApiVersion);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (broker.Username is not null)
        {
            var pair = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{broker.Username}:{broker.Password}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", pair);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Osb.Json);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            var retryAfter = response.Headers.RetryAfter?.Delta;
            return new Answer(broker, step, response.StatusCode, text, retryAfter);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new BrokerException(
                BrokerFailure.Timeout,
                $"The add-on broker '{broker.Name}' did not answer the request to {step} within {Seconds(_options.RequestTimeout)}.",
                inner: e);
        }
        catch (HttpRequestException e)
        {
            throw new BrokerException(BrokerFailure.Unreachable, $"The add-on broker '{broker.Name}' could not be reached to {step}: {e.Message}", inner: e);
        }
    }

    public static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    private static string Query(params (string Key, string? Value)[] pairs) =>
        string.Join('&', pairs.Where(p => p.Value is not null).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!)}"));

    private sealed record Answer(Broker Broker, string Step, HttpStatusCode Status, string Body, TimeSpan? RetryAfter)
    {
        public void ThrowUnless(params HttpStatusCode[] expected)
        {
            if (expected.Contains(Status))
            {
                return;
            }

            OsbError? error = null;
            try
            {
                error = JsonSerializer.Deserialize<OsbError>(Body, Osb.Json);
            }
            catch (JsonException)
            {
                // Not every broker answers errors in JSON; the status alone still says something.
            }

            var said = error?.Description is { Length: > 0 } description ? $": {description}" : ".";
            var code = error?.Error is { Length: > 0 } name ? $"{name}, HTTP {(int)Status}" : $"HTTP {(int)Status}";
            var verb = (int)Status >= 500 ? "failed to" : "refused to";
            throw new BrokerException(BrokerFailure.Refused, $"The add-on broker '{Broker.Name}' {verb} {Step} ({code}){said}", (int)Status);
        }

        public T Read<T>() => ReadOrDefault<T>() ?? throw BadResponse(null);

        public T? ReadOrDefault<T>()
        {
            if (string.IsNullOrWhiteSpace(Body))
            {
                return default;
            }

            try
            {
                return JsonSerializer.Deserialize<T>(Body, Osb.Json);
            }
            catch (JsonException e)
            {
                throw BadResponse(e);
            }
        }

        private BrokerException BadResponse(Exception? inner) =>
            new(BrokerFailure.BadResponse, $"The add-on broker '{Broker.Name}' answered the request to {Step} with a body that is not valid OSB JSON.", inner: inner);
    }
}
