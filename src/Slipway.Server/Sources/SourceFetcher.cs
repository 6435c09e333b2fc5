using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Slipway.Server.Builds;

namespace Slipway.Server.Sources;

/// <summary>The fetched archive: its SHA-256 (lowercase hex) and size.</summary>
public sealed record FetchedSource(string Digest, long Size);

/// <summary>
/// Brings a build's source archive into a local file: an upload from <c>POST /sources</c> is
/// read from the data folder; anything else is an <c>http(s)</c> download that follows
/// redirects and is bounded in time (<see cref="BuildOptions.FetchTimeout"/>) and size
/// (<see cref="BuildOptions.MaxSourceBytes"/>), and that connects only where <see cref="SourceReach"/>
/// allows, directly (no HTTP proxy, whose address would stand in for the one checked). The
/// SHA-256 is computed on the way. Failures say what went wrong, never what the other side sent.
/// </summary>
public sealed class SourceFetcher : IDisposable
{
    private readonly HttpClient _http;
    private readonly BuildOptions _options;
    private readonly BuildPaths _paths;

    public SourceFetcher(IOptions<BuildOptions> options, BuildPaths paths)
    {
        _options = options.Value;
        _paths = paths;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = _options.MaxRedirects > 0,
            MaxAutomaticRedirections = Math.Max(1, _options.MaxRedirects),
            ConnectTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
            ConnectCallback = (context, ct) => SourceReach.ConnectAsync(context.DnsEndPoint, _options.AllowPrivateSources, ct),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Slipway-Builder/1.0");
    }

    public async Task<FetchedSource> FetchAsync(Build build, string target, CancellationToken ct)
    {
        if (build.SourceUploadId is { } upload)
        {
            var path = _paths.UploadOf(upload);
            if (!File.Exists(path))
            {
                throw new BuildFailedException($"The uploaded source {upload} is gone: uploads are kept for {_options.SourceRetention} (Slipway:Builds:SourceRetention). Upload it again.");
            }

            await using var file = File.OpenRead(path);
            return await CopyAsync(file, target, ct);
        }

        var shown = SourceUrls.ForDisplay(build.SourceUrl);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.FetchTimeout);
        try
        {
            using var response = await _http.GetAsync(build.SourceUrl, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                // The standard phrase, not the server's: its reason phrase is text it chose.
                var phrase = ReasonPhrases.GetReasonPhrase((int)response.StatusCode);
                throw new BuildFailedException($"Fetching {shown} answered HTTP {(int)response.StatusCode}{(phrase.Length > 0 ? " " + phrase : "")}.");
            }

            if (response.Content.Headers.ContentLength > _options.MaxSourceBytes)
            {
                throw TooLarge(response.Content.Headers.ContentLength.Value);
            }

            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            return await CopyAsync(body, target, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new BuildFailedException($"Fetching {shown} took longer than {_options.FetchTimeout} (Slipway:Builds:FetchTimeout).");
        }
        catch (HttpRequestException e) when (e.InnerException is SourceReachException reach)
        {
            throw new BuildFailedException($"Could not fetch {shown}: {reach.Message}", e);
        }
        catch (HttpRequestException e)
        {
            throw new BuildFailedException($"Could not fetch {shown}: {Reason(e.HttpRequestError)}", e);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new BuildFailedException($"Fetching {shown} broke off before the end.", e);
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>
    /// Why a download failed, in words of our own: an exception's message may quote what the
    /// other side sent (an invalid status line), and a build's output is shown to its user.
    /// </summary>
    private static string Reason(HttpRequestError error) => error switch
    {
        HttpRequestError.NameResolutionError => "the host name does not resolve.",
        HttpRequestError.ConnectionError => "the connection failed.",
        HttpRequestError.SecureConnectionError => "the TLS connection failed (certificate or protocol).",
        HttpRequestError.HttpProtocolError or HttpRequestError.InvalidResponse => "the server's answer is not valid HTTP.",
        HttpRequestError.ResponseEnded => "the server closed the connection before it answered.",
        HttpRequestError.ConfigurationLimitExceeded => "the server's answer exceeds a limit (headers too large, too many redirects).",
        _ => "the request failed.",
    };

    private async Task<FetchedSource> CopyAsync(Stream source, string target, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
        var buffer = new byte[81920];
        long size = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, ct)) > 0)
        {
            size += read;
            if (size > _options.MaxSourceBytes)
            {
                throw TooLarge(null);
            }

            hash.AppendData(buffer, 0, read);
            await file.WriteAsync(buffer.AsMemory(0, read), ct);
        }

        return new FetchedSource(Convert.ToHexStringLower(hash.GetHashAndReset()), size);
    }

    private BuildFailedException TooLarge(long? size) => new(size is { } s
        ? $"The source is {s} bytes; at most {_options.MaxSourceBytes} are accepted (Slipway:Builds:MaxSourceBytes)."
        : $"The source is larger than {_options.MaxSourceBytes} bytes (Slipway:Builds:MaxSourceBytes).");
}
