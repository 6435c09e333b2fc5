using System.ComponentModel.DataAnnotations;

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

    public SlugOptions Slugs { get; set; } = new();

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
    /// <summary>The largest slug accepted, in bytes (default 1 GiB).</summary>
    [Range(1, long.MaxValue)]
    public long MaxBytes { get; set; } = 1L << 30;
}
