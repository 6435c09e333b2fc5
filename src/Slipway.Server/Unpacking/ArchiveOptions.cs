using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Slipway.Server.Builds;

namespace Slipway.Server.Unpacking;

/// <summary>
/// The <c>Slipway:Archives</c> section: the rules every archive the server unpacks shares, source
/// or slug. The sizes an archive may reach are its kind's own (<c>Slipway:Builds:Max*</c> for
/// sources, <c>Slipway:Slugs:Max*</c> for slugs).
/// </summary>
public sealed class ArchiveOptions
{
    public const string Section = "Slipway:Archives";

    /// <summary>The longest entry name or link target, in bytes (Linux's PATH_MAX is 4096).</summary>
    [Range(1, 4096)]
    public int MaxPathLength { get; set; } = 4096;

    /// <summary>The most folders an entry name or a link target may go down.</summary>
    [Range(1, 2048)]
    public int MaxDepth { get; set; } = 128;

    /// <summary>The largest PAX extended header or GNU long name or link, in bytes; a larger one is refused before it is read.</summary>
    [Range(512, 16 << 20)]
    public int MaxHeaderBytes { get; set; } = 64 << 10;

    /// <summary>
    /// The most bytes of names kept while an archive is read: every folder, file and link name
    /// once, and every link target. This bounds the memory the checks take, whatever the archive.
    /// </summary>
    [Range(4096, long.MaxValue)]
    public long MaxNameBytes { get; set; } = 16 << 20;

    /// <summary>How many times its compressed size a compressed archive may unpack to (past the first 16 MiB).</summary>
    [Range(2, 100_000)]
    public int MaxCompressionRatio { get; set; } = 200;
}

/// <summary>
/// Everything one unpack is held to: the shared <see cref="ArchiveOptions"/>, the size limits of
/// its kind (and the section they are configured in, for refusal messages), how a refusal names
/// the folder, and the layout: a source's single top folder is stripped, a slug's files are made read-only.
/// </summary>
public sealed record ArchiveRules(
    ArchiveOptions Shared,
    long MaxUnpackedBytes,
    long MaxFileBytes,
    int MaxEntries,
    string LimitsSection,
    string Folder,
    bool StripTopFolder,
    bool ReadOnly)
{
    /// <summary>Build sources: limits from <c>Slipway:Builds</c>, a single top folder (as in GitHub's archives) stripped.</summary>
    public static ArchiveRules ForSources(BuildOptions builds, ArchiveOptions shared) =>
        new(shared, builds.MaxUnpackedBytes, builds.MaxFileBytes, builds.MaxEntries, BuildOptions.Section, "the build folder", StripTopFolder: true, ReadOnly: false);

    /// <summary>Slugs: limits from <c>Slipway:Slugs</c>, unpacked read-only, as every process of a release shares them.</summary>
    public static ArchiveRules ForSlugs(SlipwayOptions options) =>
        new(options.Archives, options.Slugs.MaxUnpackedBytes, options.Slugs.MaxFileBytes, options.Slugs.MaxEntries, SlugOptions.Section, "the slug's folder", StripTopFolder: false, ReadOnly: true);
}

/// <summary>Checks <c>Slipway:Archives</c> and the slug archive limits at start-up (the options binder does not look inside nested sections).</summary>
public sealed class ArchiveOptionsValidation : IValidateOptions<SlipwayOptions>
{
    public ValidateOptionsResult Validate(string? name, SlipwayOptions options)
    {
        var problems = new List<string>();
        foreach (var (section, value) in new (string, object)[] { (ArchiveOptions.Section, options.Archives), (SlugOptions.Section, options.Slugs) })
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true);
            problems.AddRange(results.Select(r => $"{section}:{string.Join(", ", r.MemberNames)}: {r.ErrorMessage}"));
        }

        if (options.Slugs.MaxFileBytes > options.Slugs.MaxUnpackedBytes)
        {
            problems.Add($"{SlugOptions.Section}:MaxFileBytes cannot exceed MaxUnpackedBytes.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
