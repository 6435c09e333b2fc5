using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;
using Slipway.Server.Unpacking;

namespace Slipway.Server.Slugs;

/// <summary>
/// Slugs in an S3-compatible bucket under <c>&lt;prefix&gt;&lt;digest&gt;.tar.gz</c>. An upload is
/// received and verified locally first (<see cref="IncomingSlug"/>), so only checked bytes reach
/// the bucket; large slugs go up as a multipart upload, aborted if any part fails.
/// </summary>
public sealed partial class S3SlugStore : ISlugStore, IDisposable
{
    private readonly IAmazonS3 _s3;
    private readonly S3SlugOptions _options;
    private readonly ArchiveRules _rules;
    private readonly string _incoming;
    private readonly ILogger<S3SlugStore> _logger;
    private readonly TimeProvider _clock;

    public S3SlugStore(IOptions<SlipwayOptions> options, TimeProvider clock, ILogger<S3SlugStore> logger)
    {
        _clock = clock;
        _options = options.Value.Slugs.S3;
        _rules = ArchiveRules.ForSlugs(options.Value);
        _incoming = Path.Combine(options.Value.FullDataDir, "slugs", "incoming");
        _logger = logger;
        _s3 = CreateClient(_options);
    }

    public async Task<SlugPutResult> PutAsync(string expectedDigest, Stream content, long maxBytes, CancellationToken ct)
    {
        using var incoming = await IncomingSlug.ReceiveAsync(_incoming, expectedDigest, content, maxBytes, _rules, ct);
        if (incoming.Status == SlugPutStatus.Stored && !await ExistsAsync(incoming.Digest, ct))
        {
            await UploadAsync(incoming.Path, KeyOf(incoming.Digest), incoming.Size, ct);
        }

        return incoming.Result;
    }

    public async Task<bool> ExistsAsync(string digest, CancellationToken ct)
    {
        try
        {
            await _s3.GetObjectMetadataAsync(_options.Bucket, KeyOf(digest), ct);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public async Task<Stream> OpenReadAsync(string digest, CancellationToken ct)
    {
        var response = await _s3.GetObjectAsync(_options.Bucket, KeyOf(digest), ct);
        return response.ResponseStream;
    }

    public async Task<Uri> GetDownloadUrlAsync(string digest, TimeSpan lifetime, CancellationToken ct)
    {
        var url = await _s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            BucketName = _options.Bucket,
            Key = KeyOf(digest),
            Verb = HttpVerb.GET,
            Expires = (_clock.GetUtcNow() + lifetime).UtcDateTime,

            // The SDK signs https URLs unless told otherwise; a plain-http endpoint (MinIO in the cluster) needs http.
            Protocol = _options.ServiceUrl?.StartsWith("http://", StringComparison.OrdinalIgnoreCase) == true ? Protocol.HTTP : Protocol.HTTPS,
        });
        return new Uri(url);
    }

    public async IAsyncEnumerable<StoredSlugBytes> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var request = new ListObjectsV2Request { BucketName = _options.Bucket, Prefix = _options.Prefix };
        ListObjectsV2Response page;
        do
        {
            page = await _s3.ListObjectsV2Async(request, ct);
            foreach (var item in page.S3Objects ?? [])
            {
                var name = item.Key[_options.Prefix.Length..];
                if (name.EndsWith(".tar.gz", StringComparison.Ordinal) && name[..^".tar.gz".Length] is { Length: 64 } digest && digest.All(Uri.IsHexDigit))
                {
                    yield return new StoredSlugBytes(digest, item.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime(), TimeSpan.Zero) : _clock.GetUtcNow());
                }
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);
    }

    public Task DeleteAsync(string digest, CancellationToken ct) => _s3.DeleteObjectAsync(_options.Bucket, KeyOf(digest), ct);

    /// <summary>
    /// Uploads a verified file, in parts when it is larger than the multipart threshold. The body is
    /// signed whole rather than as aws-chunked, which not every S3-compatible server decodes.
    /// </summary>
    public async Task UploadAsync(string path, string key, long size, CancellationToken ct)
    {
        if (size <= _options.MultipartThresholdBytes)
        {
            await _s3.PutObjectAsync(new PutObjectRequest { BucketName = _options.Bucket, Key = key, FilePath = path, ContentType = "application/gzip", UseChunkEncoding = false }, ct);
            return;
        }

        var upload = await _s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _options.Bucket, Key = key, ContentType = "application/gzip" }, ct);
        try
        {
            var parts = new List<PartETag>();
            for (long offset = 0, number = 1; offset < size; offset += _options.PartSizeBytes, number++)
            {
                var part = await _s3.UploadPartAsync(
                    new UploadPartRequest
                    {
                        BucketName = _options.Bucket,
                        Key = key,
                        UploadId = upload.UploadId,
                        PartNumber = (int)number,
                        FilePath = path,
                        FilePosition = offset,
                        PartSize = Math.Min(_options.PartSizeBytes, size - offset),
                        UseChunkEncoding = false,
                    },
                    ct);
                parts.Add(new PartETag((int)number, part.ETag));
            }

            await _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = _options.Bucket, Key = key, UploadId = upload.UploadId, PartETags = parts }, ct);
            LogMultipart(_logger, key, parts.Count);
        }
        catch
        {
            await _s3.AbortMultipartUploadAsync(_options.Bucket, key, upload.UploadId, CancellationToken.None);
            throw;
        }
    }

    public string KeyOf(string digest) => _options.Prefix + digest + ".tar.gz";

    public void Dispose() => _s3.Dispose();

    private static AmazonS3Client CreateClient(S3SlugOptions options)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            AuthenticationRegion = options.Region,

            // S3-compatible servers do not all understand the SDK's default trailing checksums;
            // the store verifies SHA-256 itself before anything is sent.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (string.IsNullOrEmpty(options.ServiceUrl))
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }
        else
        {
            config.ServiceURL = options.ServiceUrl;
        }

        return string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Uploaded slug {Key} in {Parts} parts")]
    private static partial void LogMultipart(ILogger logger, string key, int parts);
}
