using Slipway.Server.Http;

namespace Slipway.Server.Addons;

public enum BrokerFailure
{
    /// <summary>No connection could be made.</summary>
    Unreachable,

    /// <summary>A call, or an asynchronous operation, took longer than allowed.</summary>
    Timeout,

    /// <summary>The broker answered with an error status.</summary>
    Refused,

    /// <summary>An asynchronous operation ended in <c>failed</c>.</summary>
    OperationFailed,

    /// <summary>The broker's answer did not follow the protocol.</summary>
    BadResponse,
}

/// <summary>
/// A broker could not do what was asked. The message is for people: it names the broker and
/// the step, and says what the broker said; it never carries credentials.
/// </summary>
public sealed class BrokerException(BrokerFailure failure, string message, int? brokerStatus = null, Exception? inner = null)
    : Exception(message, inner)
{
    public BrokerFailure Failure { get; } = failure;

    /// <summary>No connection was made, so the broker cannot have acted on the request.</summary>
    public bool NothingSent => InnerException is HttpRequestException
    {
        HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError,
    };

    /// <summary>The HTTP status the broker answered with, for <see cref="BrokerFailure.Refused"/>.</summary>
    public int? BrokerStatus { get; } = brokerStatus;

    /// <summary>
    /// How the API passes this on: 504 when the broker was too slow, 422 when it refused the
    /// request itself (a 4xx), 502 when it was down or failed.
    /// </summary>
    public int ApiStatus => Failure switch
    {
        BrokerFailure.Timeout => StatusCodes.Status504GatewayTimeout,
        BrokerFailure.Refused when BrokerStatus is >= 400 and < 500 and not 408 and not 429 => StatusCodes.Status422UnprocessableEntity,
        _ => StatusCodes.Status502BadGateway,
    };

    public string ApiId => Failure switch
    {
        BrokerFailure.Unreachable => "broker_unreachable",
        BrokerFailure.Timeout => "broker_timeout",
        BrokerFailure.Refused when ApiStatus == StatusCodes.Status422UnprocessableEntity => "broker_refused",
        _ => "broker_error",
    };

    /// <summary>The failure as the API passes it on, with <paramref name="message"/> in place of this one's when given.</summary>
    public Refusal ToRefusal(string? message = null) => new(ApiStatus, ApiId, message ?? Message);
}
