using System.Text.Json;
using System.Text.Json.Serialization;

namespace Slipway.Server.Addons;

/// <summary>
/// The Open Service Broker API's JSON, as much of it as Slipway uses. The same records serve
/// the client (<see cref="OsbClient"/>) and the built-in brokers' server side.
/// </summary>
public static class Osb
{
    /// <summary>The OSB version Slipway speaks; brokers must accept 2.13 or a later 2.x.</summary>
    public const string ApiVersion = "2.13";

    public const string ApiVersionHeader = "X-Broker-API-Version";

    /// <summary>OSB's JSON: snake_case, nulls left out, unknown fields ignored.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Whether a request's <c>X-Broker-API-Version</c> is 2.13 or a later 2.x.</summary>
    public static bool IsSupportedVersion(string? header) =>
        header is not null
        && Version.TryParse(header.Trim(), out var version)
        && version.Major == 2
        && version.Minor >= 13;
}

public sealed record OsbCatalog(List<OsbService>? Services);

public sealed record OsbService(
    string Id,
    string Name,
    string? Description,
    bool Bindable,
    List<OsbPlan>? Plans,
    Dictionary<string, JsonElement>? Metadata = null)
{
    /// <summary>Slipway's own metadata key: the config vars a binding will give, so a clash is found before provisioning.</summary>
    public const string ConfigVarsMetadata = "config_vars";

    public string DisplayName =>
        Metadata is not null && Metadata.TryGetValue("displayName", out var display) && display.ValueKind == JsonValueKind.String
            ? display.GetString()!
            : Name;

    public IReadOnlyList<string> DeclaredConfigVars =>
        Metadata is not null && Metadata.TryGetValue(ConfigVarsMetadata, out var vars) && vars.ValueKind == JsonValueKind.Array
            ? [.. vars.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)]
            : [];
}

public sealed record OsbPlan(
    string Id,
    string Name,
    string? Description,
    bool? Free = null,
    bool? Bindable = null,
    int? MaximumPollingDuration = null);

public sealed record OsbProvisionRequest(
    string ServiceId,
    string PlanId,
    string OrganizationGuid,
    string SpaceGuid,
    Dictionary<string, string> Context,
    JsonElement? Parameters);

public sealed record OsbProvisionResponse(string? DashboardUrl = null, string? Operation = null);

public sealed record OsbLastOperation(string? State, string? Description = null)
{
    public const string InProgress = "in progress";

    public const string Succeeded = "succeeded";

    public const string Failed = "failed";
}

public sealed record OsbBindResource(string AppGuid);

public sealed record OsbBindRequest(string ServiceId, string PlanId, string AppGuid, OsbBindResource BindResource, Dictionary<string, string> Context);

public sealed record OsbBindResponse(Dictionary<string, JsonElement>? Credentials);

public sealed record OsbError(string? Error, string? Description);

public enum BrokerSource
{
    BuiltIn,
    Configuration,
    Api,
}

/// <summary>
/// A broker Slipway can call. <see cref="UnavailableReason"/> is set for a built-in broker whose
/// settings are missing. <see cref="ToString"/> leaves the password out.
/// </summary>
public sealed record Broker(string Name, Uri Url, string? Username, string? Password, BrokerSource Source, string? UnavailableReason = null)
{
    public override string ToString() => Name;
}

/// <summary>One plan of one service of one broker, as found in the broker's catalog.</summary>
public sealed record CatalogPlan(Broker Broker, OsbService Service, OsbPlan Plan)
{
    public bool Bindable => Plan.Bindable ?? Service.Bindable;

    public string FullName => $"{Service.Name}:{Plan.Name}";
}
