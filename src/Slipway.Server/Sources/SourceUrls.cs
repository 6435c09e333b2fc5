using System.Text.RegularExpressions;

namespace Slipway.Server.Sources;

/// <summary>How source URLs are checked, shown and recognised as this server's own uploads.</summary>
public static partial class SourceUrls
{
    public const int MaxLength = 2048;

    /// <summary>An absolute <c>http</c> or <c>https</c> URL, or null.</summary>
    public static Uri? Parse(string? url) =>
        url is { Length: > 0 and <= MaxLength } && Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : null;

    /// <summary>
    /// The upload a URL names when it is a <c>get_url</c> from <c>POST /sources</c>. The host is
    /// not compared: behind a proxy the server cannot know every name it is reached by, and the
    /// random id (checked against its owner) is what identifies the upload.
    /// </summary>
    public static bool TryUploadId(Uri url, out Guid id)
    {
        id = Guid.Empty;
        var match = UploadPath().Match(url.AbsolutePath);
        return match.Success && Guid.TryParse(match.Groups[1].Value, out id);
    }

    /// <summary>The URL without credentials (<c>user:password@</c>), as the API shows it.</summary>
    public static string WithoutCredentials(string url) =>
        url.Contains("://", StringComparison.Ordinal) && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? new UriBuilder(uri) { UserName = "", Password = "" }.Uri.ToString()
            : url;

    /// <summary>The URL as build output and logs show it: no credentials, and the query (which may hold a signature) elided. A path stays a path.</summary>
    public static string ForDisplay(string url) =>
        url.Contains("://", StringComparison.Ordinal) && Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? $"{uri.Scheme}://{uri.Authority}{uri.AbsolutePath}{(uri.Query.Length > 0 ? "?…" : "")}{uri.Fragment}"
            : url;

    [GeneratedRegex("/sources/([0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12})/?$")]
    private static partial Regex UploadPath();
}
