using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Slipway.Server.Builds;

namespace Slipway.Server.Sources;

/// <summary>The fetched archive: its SHA-256 (lowercase hex) and size.</summary>
public sealed record FetchedSource(string Digest, long Size);

/// <summary>
/// Brings a build's source archive into a local file: an upload from <c>POST /sources</c> is
/// read from the data folder; anything else is an <c>http(s)</c> download that follows
/// redirects and is bounded in time (<see cref="BuildOptions.FetchTimeout"/>) and size
/// (<see cref="BuildOptions.MaxSourceBytes"/>). The SHA-256 is computed on the way.
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
                throw new BuildFailedException($"Fetching {shown} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
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
        catch (HttpRequestException e)
        {
            throw new BuildFailedException($"Could not fetch {shown}: {e.Message}", e);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new BuildFailedException($"Fetching {shown} broke off: {e.Message}", e);
        }
    }

    public void Dispose() => _http.Dispose();

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
