namespace Slipway.Contracts;

/// <summary>
/// Creates a webhook (Akkeris's <c>POST /apps/{app}/hooks</c>): where to POST (<c>http</c> or <c>https</c>),
/// which events, whether it is active (default true) and the secret that signs each delivery.
/// </summary>
public sealed record CreateHookRequest(string? Url, IReadOnlyList<string>? Events, bool? Active, string? Secret);

/// <summary>Changes a webhook; what is left out stays as it is.</summary>
public sealed record UpdateHookRequest(string? Url, IReadOnlyList<string>? Events, bool? Active, string? Secret);

/// <summary>
/// A webhook as the API reads it. The secret is never read back; a password in <see cref="Url"/> is masked.
/// <see cref="LastDelivery"/> is its newest attempt, if it had one.
/// </summary>
public sealed record HookResponse(
    Guid Id,
    NamedRef App,
    string Url,
    IReadOnlyList<string> Events,
    bool Active,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    HookResultResponse? LastDelivery = null);

/// <summary>The hook a result belongs to, as Akkeris's results name it.</summary>
public sealed record HookSummary(Guid Id, string Url, IReadOnlyList<string> Events);

/// <summary>What a delivery attempt sent (the body is the event's JSON payload).</summary>
public sealed record HookRequestSent(string Method, string Url, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>What the receiver answered: its status code (null when it did not answer) and headers.</summary>
public sealed record HookResponseReceived(int? Code, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// One delivery attempt (<c>GET /apps/{app}/hooks/{id}/results</c>): the event, when and how long
/// it took, what was sent and answered, the error when there was no answer, and the delivery's state
/// (<c>pending</c> while it will be retried, <c>delivered</c>, <c>failed</c>).
/// </summary>
public sealed record HookResultResponse(
    Guid Id,
    Guid DeliveryId,
    string Action,
    int Attempt,
    DateTimeOffset CreatedAt,
    long DurationMs,
    string DeliveryState,
    string? Error,
    HookSummary Hook,
    HookRequestSent Request,
    HookResponseReceived Response);
