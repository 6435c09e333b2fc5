using System.Net.Http.Headers;
using System.Text;

namespace Slipway.Server.Hooks;

/// <summary>
/// A webhook's URL: which ones are accepted (absolute <c>http</c>/<c>https</c>), how one is shown
/// (a password in it masked: logs, the API and the dashboard never show it) and how its user
/// information is sent (as basic authentication, not in the request line).
/// </summary>
public static class HookUrl
{
    /// <summary>Why <paramref name="url"/> cannot be a hook's URL, or null when it can.</summary>
    public static string? Problem(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return "url is required: the http or https address each event is POSTed to.";
        }

        if (url.Length > AppHook.MaxUrlLength)
        {
            return $"url is {url.Length} characters; at most {AppHook.MaxUrlLength} are allowed.";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return $"url must be an absolute http or https URL, not '{Show(url)}'.";
        }

        return string.IsNullOrEmpty(uri.Host) ? "url must name a host." : null;
    }

    /// <summary><paramref name="url"/> with any password replaced by <c>***</c>: what may be shown or logged.</summary>
    public static string Show(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            // Not a URL, so nothing is known about where a secret may be in it: only the part before any '@' is shown.
            var at = url.LastIndexOf('@');
            return at < 0 ? url : "***" + url[at..];
        }

        if (string.IsNullOrEmpty(uri.UserInfo))
        {
            return url;
        }

        var user = uri.UserInfo.Split(':', 2)[0];
        return new UriBuilder(uri) { UserName = user, Password = user.Length > 0 && uri.UserInfo.Contains(':') ? "***" : "" }.Uri.ToString();
    }

    /// <summary>Where to send: the URL without user information, and the basic authentication it stood for.</summary>
    public static (Uri Target, AuthenticationHeaderValue? Authorization) Split(string url)
    {
        var uri = new Uri(url, UriKind.Absolute);
        if (string.IsNullOrEmpty(uri.UserInfo))
        {
            return (uri, null);
        }

        var credentials = Uri.UnescapeDataString(uri.UserInfo);
        var target = new UriBuilder(uri) { UserName = "", Password = "" }.Uri;
        return (target, new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials))));
    }
}
