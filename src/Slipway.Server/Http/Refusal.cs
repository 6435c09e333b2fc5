namespace Slipway.Server.Http;

/// <summary>
/// Why a change was refused, before it becomes an HTTP answer: the API turns it into a problem
/// (<see cref="ApiProblem.Of(Refusal)"/>), the dashboard shows <see cref="Message"/> next to the
/// input named by <see cref="Param"/>.
/// </summary>
/// <param name="Param">The request field at fault (a property name of the request record), when one is.</param>
public sealed record Refusal(int Status, string Id, string Message, string? Param = null)
{
    public static Refusal Invalid(string message, string? param = null) => new(StatusCodes.Status422UnprocessableEntity, "invalid_params", message, param);

    public static Refusal NotFound(string message, string? param = null) => new(StatusCodes.Status404NotFound, "not_found", message, param);

    public static Refusal Conflict(string message, string? param = null) => new(StatusCodes.Status409Conflict, "conflict", message, param);
}
