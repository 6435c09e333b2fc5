using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Slipway.Server.Slugs;

namespace Slipway.Server.Tests.Slugs;

public sealed class S3SlugStoreTests(S3rverServer s3) : IClassFixture<S3rverServer>, IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("slipway-s3-test-").FullName;

    [Fact]
    public async Task Put_VerifiedSlug_CanBeReadBack()
    {
        using var store = Store();
        var bytes = Archives.Slug(new Dictionary<string, string> { ["index.html"] = "s3 " + SlipwayApi.Unique() });
        var digest = Digest(bytes);

        var result = await store.PutAsync(digest, new MemoryStream(bytes), 1 << 20, CancellationToken.None);

        Assert.Equal(SlugPutStatus.Stored, result.Status);
        Assert.True(await store.ExistsAsync(digest, CancellationToken.None));
        Assert.Equal(bytes, await ReadAllAsync(store, digest));
    }

    [Fact]
    public async Task DownloadUrl_IsAPresignedGetThatNeedsNoCredentials()
    {
        using var store = Store();
        var bytes = Archives.Slug(new Dictionary<string, string> { ["index.html"] = "presigned " + SlipwayApi.Unique() });
        var digest = Digest(bytes);
        await store.PutAsync(digest, new MemoryStream(bytes), 1 << 20, CancellationToken.None);

        var url = await store.GetDownloadUrlAsync(digest, TimeSpan.FromMinutes(5), CancellationToken.None);

        Assert.Contains("X-Amz-Signature=", url.Query, StringComparison.Ordinal);
        Assert.Contains("X-Amz-Expires=300", url.Query, StringComparison.Ordinal);
        using var anonymous = new HttpClient();
        Assert.Equal(bytes, await anonymous.GetByteArrayAsync(url));
    }

    [Fact]
    public async Task Put_LargeSlug_GoesUpInPartsAndReadsBackWhole()
    {
        var log = new ListLogger();
        using var store = Store(logger: log);
        var bytes = IncompressibleSlug(12 * 1024 * 1024);
        var digest = Digest(bytes);

        var result = await store.PutAsync(digest, new MemoryStream(bytes), 64 << 20, CancellationToken.None);

        Assert.Equal(SlugPutStatus.Stored, result.Status);
        using var client = Client();
        var head = await client.GetObjectMetadataAsync(s3.Bucket, store.KeyOf(digest));
        Assert.Equal(bytes.Length, head.ContentLength);
        Assert.Equal([$"Uploaded slug unit/{digest}.tar.gz in 3 parts"], log.Messages);
        Assert.Equal(bytes, await ReadAllAsync(store, digest));
    }

    [Fact]
    public async Task Put_ChecksumMismatch_LeavesNothingInBucketOrOnDisk()
    {
        using var store = Store();
        var bytes = Archives.Slug(new Dictionary<string, string> { ["x"] = SlipwayApi.Unique() });
        var claimed = Digest([1, 2, 3]);

        var result = await store.PutAsync(claimed, new MemoryStream(bytes), 1 << 20, CancellationToken.None);

        Assert.Equal(SlugPutStatus.ChecksumMismatch, result.Status);
        Assert.False(await store.ExistsAsync(claimed, CancellationToken.None));
        Assert.False(await store.ExistsAsync(Digest(bytes), CancellationToken.None));
        Assert.Empty(Directory.GetFiles(Path.Combine(_dataDir, "slugs", "incoming")));
    }

    [Fact]
    public async Task Server_WithS3Store_UploadsAndReleasesSlug()
    {
        await using var server = await SlipwayTestServer.StartAsync(settings: s3.SlipwaySettings("server/"));
        using var api = server.Api();
        var app = await api.CreateAppAsync();

        var slug = await api.CreateSlugAsync(app.Name);
        var release = await api.DeployAsync(app.Name, slug.Id);

        Assert.Equal(slug.Id, release.Slug?.Id);
        using var client = Client();
        var digest = slug.Checksum["SHA256:".Length..];
        Assert.Equal(HttpStatusCode.OK, (await client.GetObjectMetadataAsync(s3.Bucket, $"server/{digest}.tar.gz")).HttpStatusCode);
        Assert.False(Directory.Exists(Path.Combine(server.DataDir, "slugs", digest[..2])));
    }

    [Fact]
    public async Task CopyCommand_CopiesFolderSlugsOnceAndSkipsThemAfter()
    {
        var folder = new FolderSlugStore(Options.Create(new SlipwayOptions { DataDir = _dataDir }), TimeProvider.System);
        var first = Archives.Slug(new Dictionary<string, string> { ["a"] = SlipwayApi.Unique() });
        var second = Archives.Slug(new Dictionary<string, string> { ["b"] = SlipwayApi.Unique() });
        await folder.PutAsync(Digest(first), new MemoryStream(first), 1 << 20, CancellationToken.None);
        await folder.PutAsync(Digest(second), new MemoryStream(second), 1 << 20, CancellationToken.None);
        var prefix = $"copy-{SlipwayApi.Unique()}/";
        string[] args = [$"--Slipway:DataDir={_dataDir}", .. s3.SlipwaySettings(prefix).Select(kv => $"--{kv.Key}={kv.Value}")];

        var output = new StringWriter();
        var code = await SlugStoreSetup.CopyFolderToS3Async(args, output, CancellationToken.None);
        var again = new StringWriter();
        var codeAgain = await SlugStoreSetup.CopyFolderToS3Async(args, again, CancellationToken.None);

        Assert.Equal(0, code);
        Assert.Equal($"Copied 2 slugs to s3://{s3.Bucket}/{prefix} (0 already there, 0 skipped).", output.ToString().Trim());
        Assert.Equal(0, codeAgain);
        Assert.Contains("Copied 0 slugs", again.ToString());
        Assert.Contains("(2 already there", again.ToString());
        using var store = Store(prefix);
        Assert.Equal(first, await ReadAllAsync(store, Digest(first)));
    }

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    private S3SlugStore Store(string prefix = "unit/", ILogger<S3SlugStore>? logger = null)
    {
        var options = new SlipwayOptions { DataDir = _dataDir };
        options.Slugs.Kind = "s3";
        options.Slugs.S3 = new S3SlugOptions
        {
            Bucket = s3.Bucket,
            ServiceUrl = s3.ServiceUrl,
            AccessKey = S3rverServer.AccessKey,
            SecretKey = S3rverServer.SecretKey,
            Prefix = prefix,
            MultipartThresholdBytes = 5 * 1024 * 1024,
            PartSizeBytes = 5 * 1024 * 1024,
        };
        return new S3SlugStore(Options.Create(options), TimeProvider.System, logger ?? NullLogger<S3SlugStore>.Instance);
    }

    private AmazonS3Client Client() => new(
        new Amazon.Runtime.BasicAWSCredentials(S3rverServer.AccessKey, S3rverServer.SecretKey),
        new AmazonS3Config { ServiceURL = s3.ServiceUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });

    private static async Task<byte[]> ReadAllAsync(ISlugStore store, string digest)
    {
        await using var stream = await store.OpenReadAsync(digest, CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static string Digest(byte[] bytes) => Archives.Checksum(bytes)["SHA256:".Length..];

    /// <summary>A slug about <paramref name="size"/> bytes long (random content does not compress).</summary>
    private static byte[] IncompressibleSlug(int size)
    {
        var random = new byte[size];
        new Random(42).NextBytes(random);
        return Archives.Slug([new ArchiveFile("random.bin") { Bytes = random }]);
    }
}

/// <summary>Keeps what the store logs, to see which upload path it took.</summary>
internal sealed class ListLogger : ILogger<S3SlugStore>
{
    public List<string> Messages { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Messages.Add(formatter(state, exception));
}
