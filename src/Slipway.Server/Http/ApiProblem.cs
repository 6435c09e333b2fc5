using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Slipway.Server.Http;

/// <summary>
/// The one way the API says no: <c>application/problem+json</c> with Heroku's <c>id</c> and
/// <c>message</c> alongside <c>title</c> and <c>detail</c>. <see cref="Complete"/> gives the
/// framework's own answers (an unknown route, a wrong method, an empty error status) the same fields.
/// </summary>
public static class ApiProblem
{
    /// <summary>
    /// Fills Heroku's <c>id</c> and <c>message</c> (and <c>detail</c>) into a problem that lacks
    /// them, as the status code pages and the exception handler write them: clients of both
    /// platforms print <c>message</c>, and the Akkeris CLI prints raw bytes without it.
    /// </summary>
    public static void Complete(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var http = context.HttpContext;
        var status = problem.Status ?? http.Response.StatusCode;
        problem.Extensions.TryAdd("id", IdOf(status));
        if (!problem.Extensions.ContainsKey("message"))
        {
            problem.Detail ??= MessageOf(status, http);
            problem.Extensions["message"] = problem.Detail;
        }
    }

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

    private static string IdOf(int status) => status switch
    {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        413 => "too_large",
        415 => "unsupported_media_type",
        422 => "invalid_params",
        >= 500 => "internal_error",
        _ => "error",
    };

    private static string MessageOf(int status, HttpContext http)
    {
        var route = $"{http.Request.Method} {http.Request.Path}";
        return status switch
        {
            404 when http.GetEndpoint() is null => $"There is no route {route}.",
            405 when http.Response.Headers.Allow.Count > 0 => $"{route} is not allowed; this path takes {http.Response.Headers.Allow}.",
            405 => $"{route} is not allowed.",

            // A chunked body that grew past the limit while a handler read it.
            413 when http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is { } max => BodyLimits.TooLarge(null, max),
            _ => $"{route} failed: {TitleOf(status)}.",
        };
    }

    private static string TitleOf(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Content Too Large",
        422 => "Unprocessable Entity",
        502 => "Bad Gateway",
        504 => "Gateway Timeout",
        _ => "Error",
    };
}
