using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Slipway.Server.Builds;

namespace Slipway.Server.AutoDeploy;

/// <summary>
/// The one GitHub API call auto-deploy needs: a commit's tarball
/// (<c>GET {ApiUrl}/repos/{owner}/{repo}/tarball/{sha}</c>, with the token), following
/// GitHub's redirect to its download host, bounded like any source download.
/// </summary>
public sealed class GitHubClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly GitHubOptions _options;
    private readonly BuildOptions _builds;

    public GitHubClient(IOptions<GitHubOptions> options, IOptions<BuildOptions> builds)
    {
        _options = options.Value;
        _builds = builds.Value;

        // The token must not follow the redirect to another host: redirects are followed by hand.
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = TimeSpan.FromSeconds(30) }) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Slipway-AutoDeploy/1.0");
    }

    /// <summary>The API base address, without a trailing slash.</summary>
    public string ApiUrl => _options.ApiUrl.TrimEnd('/');

    public async Task DownloadTarballAsync(string fullName, string sha, string? token, string target, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_builds.FetchTimeout);
        var url = new Uri($"{_options.ApiUrl.TrimEnd('/')}/repos/{fullName}/tarball/{sha}");
        var apiHost = url.Authority;
        try
        {
            for (var hop = 0; ; hop++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Accept.ParseAdd("application/vnd.github+json");
                request.Headers.Add("X-GitHub-Api-Version", "2022-11-28");
                if (token is { Length: > 0 } && url.Authority == apiHost)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                }

                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if (response.StatusCode is HttpStatusCode.Found or HttpStatusCode.MovedPermanently or HttpStatusCode.TemporaryRedirect or HttpStatusCode.SeeOther
                    && response.Headers.Location is { } location && hop < Math.Max(1, _builds.MaxRedirects))
                {
                    url = new Uri(url, location);
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw new BuildFailedException($"GitHub answered HTTP {(int)response.StatusCode} {response.ReasonPhrase} for the tarball of {fullName}@{sha[..Math.Min(7, sha.Length)]}{(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Unauthorized ? " (is the token allowed to read the repository?)" : "")}.");
                }

                await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
                await using var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
                var buffer = new byte[81920];
                long size = 0;
                int read;
                while ((read = await body.ReadAsync(buffer, timeout.Token)) > 0)
                {
                    size += read;
                    if (size > _builds.MaxSourceBytes)
                    {
                        throw new BuildFailedException($"The tarball is larger than {_builds.MaxSourceBytes} bytes (Slipway:Builds:MaxSourceBytes).");
                    }

                    await file.WriteAsync(buffer.AsMemory(0, read), timeout.Token);
                }

                return;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new BuildFailedException($"Fetching the tarball took longer than {_builds.FetchTimeout} (Slipway:Builds:FetchTimeout).");
        }
        catch (HttpRequestException e)
        {
            throw new BuildFailedException($"Could not reach the GitHub API at {_options.ApiUrl}: {e.Message}", e);
        }
    }

    /// <summary>True when <paramref name="signature"/> is <c>sha256=&lt;hex&gt;</c> of the HMAC-SHA256 of <paramref name="body"/>, compared in constant time.</summary>
    public static bool SignatureMatches(ReadOnlySpan<byte> body, string secret, string? signature)
    {
        const string Prefix = "sha256=";
        if (signature is null || !signature.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        byte[] given;
        try
        {
            given = Convert.FromHexString(signature.AsSpan(Prefix.Length).Trim());
        }
        catch (FormatException)
        {
            return false;
        }

        var expected = HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret), body);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    public void Dispose() => _http.Dispose();
}
