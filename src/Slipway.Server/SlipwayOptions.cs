using System.ComponentModel.DataAnnotations;
using Slipway.Server.Unpacking;

namespace Slipway.Server;

/// <summary>The <c>Slipway</c> configuration section; every key has a working default.</summary>
public sealed class SlipwayOptions
{
    public const string Section = "Slipway";

    /// <summary>Where the embedded default keeps its database, slugs and admin token.</summary>
    [Required]
    public string DataDir { get; set; } = "./.slipway";

    /// <summary>The first admin's token; generated and printed once when not set.</summary>
    public string? AdminToken { get; set; }

    public DatabaseOptions Database { get; set; } = new();

    /// <summary>
    /// The largest request body of a JSON route, in bytes (default 1 MiB); larger bodies get 413. Archive
    /// uploads (<c>PUT /sources/{id}</c>, slug blobs) have their own limits, and GitHub webhooks GitHub's.
    /// </summary>
    [Range(1024, int.MaxValue)]
    public long MaxRequestBodyBytes { get; set; } = 1L << 20;

    public SlugOptions Slugs { get; set; } = new();

    /// <summary>The rules every archive shares, source or slug (<c>Slipway:Archives</c>).</summary>
    public ArchiveOptions Archives { get; set; } = new();

    /// <summary>
    /// The URL at which runners outside this machine (Kubernetes pods) reach this server, for
    /// signed slug downloads from the folder store; e.g. <c>http://slipway.slipway.svc:5000</c>.
    /// </summary>
    public string? PublicUrl { get; set; }

    public string FullDataDir => Path.GetFullPath(DataDir);
}

public sealed class DatabaseOptions
{
    /// <summary><c>sqlite</c> (default) or <c>postgres</c>; the connection string is <c>ConnectionStrings:Slipway</c>.</summary>
    [RegularExpression("^(sqlite|postgres)$", ErrorMessage = "Slipway:Database:Provider must be 'sqlite' or 'postgres'.")]
    public string Provider { get; set; } = "sqlite";
}

public sealed class SlugOptions
{
    public const string Section = "Slipway:Slugs";

    /// <summary><c>folder</c> (under the data folder, default) or <c>s3</c> (any S3-compatible store).</summary>
    [RegularExpression("^(folder|s3)$", ErrorMessage = "Slipway:Slugs:Kind must be 'folder' or 's3'.")]
    public string Kind { get; set; } = "folder";

    public S3SlugOptions S3 { get; set; } = new();

    /// <summary>
    /// The key that signs slug download URLs of the folder store (any string; every server behind one
    /// load balancer needs the same). When empty a random key is kept in the data folder.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>The largest slug accepted, in bytes (default 1 GiB).</summary>
    [Range(1, long.MaxValue)]
    public long MaxBytes { get; set; } = 1L << 30;

    /// <summary>The most a slug may unpack to, all files together, in bytes (default 4 GiB).</summary>
    [Range(1, long.MaxValue)]
    public long MaxUnpackedBytes { get; set; } = 4L << 30;

    /// <summary>The largest single file a slug may hold, in bytes (default 1 GiB).</summary>
    [Range(1, long.MaxValue)]
    public long MaxFileBytes { get; set; } = 1L << 30;

    /// <summary>The most entries (files, folders, links) a slug may hold.</summary>
    [Range(1, 10_000_000)]
    public int MaxEntries { get; set; } = 200_000;
}

/// <summary>The <c>Slipway:Slugs:S3</c> section, used when <c>Slipway:Slugs:Kind</c> is <c>s3</c>.</summary>
public sealed class S3SlugOptions
{
    public string Bucket { get; set; } = "";

    public string Region { get; set; } = "us-east-1";

    /// <summary>The endpoint of an S3-compatible service (MinIO, Ceph, s3rver); empty for AWS itself.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Path-style addressing (<c>host/bucket/key</c>), which most S3-compatible services need.</summary>
    public bool ForcePathStyle { get; set; } = true;

    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>Key prefix for slugs inside the bucket.</summary>
    public string Prefix { get; set; } = "slugs/";

    /// <summary>Slugs larger than this go up as a multipart upload.</summary>
    [Range(5L * 1024 * 1024, long.MaxValue)]
    public long MultipartThresholdBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Part size of a multipart upload (S3's minimum is 5 MiB).</summary>
    [Range(5L * 1024 * 1024, 5L * 1024 * 1024 * 1024)]
    public long PartSizeBytes { get; set; } = 16L * 1024 * 1024;
}
