namespace Slipway.Server.Http;

/// <summary>
/// Why a change or a lookup was refused: the one shape every feature says no in. Services answer
/// it (<see cref="Answer{T}"/>) instead of throwing; the API turns it into a problem
/// (<see cref="ApiProblem.Of(Refusal)"/>), the dashboard shows <see cref="Message"/> next to the
/// input named by <see cref="Param"/>.
/// </summary>
/// <param name="Status">The HTTP status the API answers with.</param>
/// <param name="Id">Heroku's error <c>id</c> (<c>invalid_params</c>, <c>not_found</c>, ...).</param>
/// <param name="Param">The request field at fault (a property name of the request record), when one is.</param>
public sealed record Refusal(int Status, string Id, string Message, string? Param = null)
{
    public static Refusal Invalid(string message, string? param = null) => new(StatusCodes.Status422UnprocessableEntity, "invalid_params", message, param);

    public static Refusal NotFound(string message, string? param = null) => new(StatusCodes.Status404NotFound, "not_found", message, param);

    public static Refusal Conflict(string message, string? param = null) => new(StatusCodes.Status409Conflict, "conflict", message, param);

    public static Refusal Forbidden(string message, string? param = null) => new(StatusCodes.Status403Forbidden, "forbidden", message, param);

    /// <summary>A field over its limit, the limit in the message: <c>description is 2000 characters; at most 1024 are allowed</c>.</summary>
    public static Refusal TooLong(string field, long length, long max, string? param = null) =>
        Invalid($"{field} is {length} characters; at most {max} are allowed.", param);

    public static Refusal BadRequest(string message, string? param = null) => new(StatusCodes.Status400BadRequest, "bad_request", message, param);
}
