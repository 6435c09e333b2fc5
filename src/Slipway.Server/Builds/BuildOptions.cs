using System.ComponentModel.DataAnnotations;

namespace Slipway.Server.Builds;

/// <summary>The <c>Slipway:Builds</c> section: the build engine's limits. Every key has a working default.</summary>
public sealed class BuildOptions : IValidatableObject
{
    public const string Section = "Slipway:Builds";

    /// <summary>How many builds run at once; more wait in the queue.</summary>
    [Range(1, 64)]
    public int Concurrency { get; set; } = 2;

    /// <summary>How many builds may wait; a build beyond that is refused with 503.</summary>
    [Range(1, 100_000)]
    public int QueueLimit { get; set; } = 100;

    /// <summary>The longest a build may run, from fetching its source to its release.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The longest a source download may take.</summary>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromMinutes(5);

    [Range(0, 20)]
    public int MaxRedirects { get; set; } = 10;

    /// <summary>
    /// Whether a build may fetch its source URL from this machine or a private network (loopback,
    /// link-local, 10/8, 172.16/12, 192.168/16, fc00::/7, ...). Off by default: any user who can
    /// start a build could otherwise make the server read its internal services.
    /// </summary>
    public bool AllowPrivateSources { get; set; }

    /// <summary>The largest source archive accepted (download or upload), in bytes.</summary>
    [Range(1, long.MaxValue)]
    public long MaxSourceBytes { get; set; } = 256L << 20;

    /// <summary>The most an archive may unpack to, all files together, in bytes.</summary>
    [Range(1, long.MaxValue)]
    public long MaxUnpackedBytes { get; set; } = 1L << 30;

    /// <summary>The largest single file an archive may hold, in bytes.</summary>
    [Range(1, long.MaxValue)]
    public long MaxFileBytes { get; set; } = 256L << 20;

    /// <summary>The most entries (files, folders, links) an archive may hold.</summary>
    [Range(1, 10_000_000)]
    public int MaxEntries { get; set; } = 50_000;

    /// <summary>Build output kept per build, in bytes; later lines are dropped with a note.</summary>
    [Range(1024, int.MaxValue)]
    public int MaxOutputBytes { get; set; } = 4 << 20;

    /// <summary>The built-in buildpacks; by default the <c>buildpacks</c> folder next to the server binary.</summary>
    public string? BuildpacksDir { get; set; }

    /// <summary>
    /// Node.js versions a build may choose by <c>engines.node</c>: a folder of <c>&lt;version&gt;/bin/node</c>
    /// (<c>20.20.2/bin/node</c>). Unset, every app builds and runs with the node on the server's PATH.
    /// </summary>
    public string? NodeVersionsDir { get; set; }

    /// <summary>
    /// Python versions a build may choose by <c>.python-version</c> or <c>runtime.txt</c>: a folder of
    /// <c>&lt;version&gt;/bin/python3</c> (pyenv's <c>~/.pyenv/versions</c> has that shape). Unset, the python3 on PATH.
    /// </summary>
    public string? PythonVersionsDir { get; set; }

    /// <summary>The <c>STACK</c> a buildpack sees.</summary>
    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9.-]*$")]
    public string Stack { get; set; } = "slipway-1";

    /// <summary>How long an uploaded source (<c>POST /sources</c>) is kept.</summary>
    public TimeSpan SourceRetention { get; set; } = TimeSpan.FromDays(1);

    public string FullBuildpacksDir => Path.GetFullPath(BuildpacksDir ?? Path.Combine(AppContext.BaseDirectory, "buildpacks"));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, value) in new[] { (nameof(Timeout), Timeout), (nameof(FetchTimeout), FetchTimeout), (nameof(SourceRetention), SourceRetention) })
        {
            if (value <= TimeSpan.Zero)
            {
                yield return new ValidationResult($"{Section}:{name} must be positive.", [name]);
            }
        }

        if (MaxFileBytes > MaxUnpackedBytes)
        {
            yield return new ValidationResult($"{Section}:MaxFileBytes cannot exceed MaxUnpackedBytes.", [nameof(MaxFileBytes)]);
        }
    }
}
