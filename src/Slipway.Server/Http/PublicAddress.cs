namespace Slipway.Server.Http;

/// <summary>
/// The address clients reach this server at, for URLs the API hands out (an app's git remote, a
/// log session): <c>Slipway:PublicUrl</c> when set (an https front end then gives https URLs),
/// otherwise the address the request came to.
/// </summary>
public static class PublicAddress
{
    /// <summary>The base URL, without a trailing slash.</summary>
    public static string Of(HttpRequest request, string? publicUrl) =>
        string.IsNullOrWhiteSpace(publicUrl)
            ? $"{request.Scheme}://{request.Host}{request.PathBase}"
            : publicUrl.Trim().TrimEnd('/');
}
