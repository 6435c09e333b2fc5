using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Slipway.Server.Http;

/// <summary>
/// An endpoint's own request body limit, in place of <see cref="SlipwayOptions.MaxRequestBodyBytes"/>;
/// null leaves it to the handler, which sets it from what it is about to receive (an upload of a known slot).
/// </summary>
public sealed record BodyLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;

/// <summary>
/// The request body limit of every API route: a JSON body is at most
/// <see cref="SlipwayOptions.MaxRequestBodyBytes"/>; the routes that take archives carry a
/// <see cref="BodyLimit"/> of their own. A body announced larger is refused before it is read
/// (413, the limit in the message); one that grows past the limit while it is read (chunked) is cut
/// off by Kestrel, which <see cref="BadRequestHandler"/> answers with the same 413.
/// </summary>
public static class BodyLimits
{
    public static IApplicationBuilder UseBodyLimits(this IApplicationBuilder app)
    {
        var maxJson = app.ApplicationServices.GetRequiredService<IOptions<SlipwayOptions>>().Value.MaxRequestBodyBytes;
        return app.Use(async (http, next) =>
        {
            var own = http.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>();
            var limit = own is null ? maxJson : own.MaxRequestBodySize;
            if (limit is { } max)
            {
                if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
                {
                    feature.MaxRequestBodySize = max;
                }

                if (http.Request.ContentLength is { } length && length > max)
                {
                    http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                    await http.Response.WriteAsJsonAsync(
                        ApiProblem.Details(StatusCodes.Status413PayloadTooLarge, "too_large", TooLarge(length, max)),
                        options: null,
                        contentType: "application/problem+json");
                    return;
                }
            }

            await next(http);
        });
    }

    public static string TooLarge(long? length, long max) => length is { } l
        ? $"The request body is {l} bytes; at most {max} are allowed."
        : $"The request body is larger than {max} bytes, the most allowed.";
}
