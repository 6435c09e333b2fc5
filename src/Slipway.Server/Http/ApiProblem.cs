using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Slipway.Server.Http;

/// <summary>
/// The one way the API says no: <c>application/problem+json</c> with Heroku's <c>id</c> and
/// <c>message</c> alongside <c>title</c> and <c>detail</c>.
/// </summary>
public static class ApiProblem
{
    public static ProblemHttpResult Of(int status, string id, string message) =>
        TypedResults.Problem(Details(status, id, message));

    public static ProblemHttpResult Of(Refusal refusal) => Of(refusal.Status, refusal.Id, refusal.Message);

    public static ProblemDetails Details(int status, string id, string message) => new()
    {
        Status = status,
        Title = TitleOf(status),
        Detail = message,
        Extensions = { ["id"] = id, ["message"] = message },
    };

    public static ProblemHttpResult NotFound(string message) => Of(StatusCodes.Status404NotFound, "not_found", message);

    public static ProblemHttpResult Invalid(string message) => Of(StatusCodes.Status422UnprocessableEntity, "invalid_params", message);

    public static ProblemHttpResult Conflict(string message) => Of(StatusCodes.Status409Conflict, "conflict", message);

    public static ProblemHttpResult Forbidden(string message) => Of(StatusCodes.Status403Forbidden, "forbidden", message);

    public static ProblemHttpResult BadRequest(string message) => Of(StatusCodes.Status400BadRequest, "bad_request", message);

    private static string TitleOf(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        413 => "Content Too Large",
        422 => "Unprocessable Entity",
        502 => "Bad Gateway",
        504 => "Gateway Timeout",
        _ => "Error",
    };
}
