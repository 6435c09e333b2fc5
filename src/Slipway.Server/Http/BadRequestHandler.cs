using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace Slipway.Server.Http;

/// <summary>
/// Turns a body that cannot be read (bad JSON, wrong types) into a 400 problem that says
/// what was wrong, instead of the framework's empty 400.
/// </summary>
public sealed class BadRequestHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        var message = bad.InnerException is JsonException json
            ? $"The request body is not valid JSON for this route: {json.Message}"
            : bad.StatusCode == StatusCodes.Status413PayloadTooLarge && context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is { } max
                ? BodyLimits.TooLarge(null, max)
                : bad.Message;
        context.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = ApiProblem.Details(bad.StatusCode, bad.StatusCode == 413 ? "too_large" : "bad_request", message),
            Exception = exception,
        });
    }
}
