using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Slipway.Server.Releases;

/// <summary>The state an outside check reports on a release, worst last: the combined state of a release is the worst of its checks.</summary>
public enum StatusCheckState
{
    Success,
    Pending,
    Failure,
    Error,
}

/// <summary>
/// A release status (Akkeris's word): what an outside system (CI, a scanner, a smoke test) says of
/// a release, one per <see cref="Context"/> (<c>ci/circleci</c>). It has no bearing on the release's
/// own <see cref="Release.Status"/> (whether it was deployed); it is what promotions are gated on.
/// Only its state and its texts move after creation; the context never does.
/// </summary>
public sealed class StatusCheck
{
    private StatusCheck()
    {
    }

    public Guid Id { get; private set; }

    public Guid ReleaseId { get; private set; }

    /// <summary>The function and name of the outside system (<c>tests/integration</c>): its key on the release.</summary>
    public string Context { get; private set; } = "";

    public StatusCheckState State { get; private set; }

    /// <summary>A name for people (<c>My integration tests</c>).</summary>
    public string? Name { get; private set; }

    /// <summary>Why the release is in this state, in a paragraph at most.</summary>
    public string? Description { get; private set; }

    /// <summary>Where to read more (http or https).</summary>
    public string? TargetUrl { get; private set; }

    /// <summary>An icon or badge of the outside system (http or https).</summary>
    public string? ImageUrl { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public static StatusCheck Create(Guid releaseId, string context, StatusCheckState state, StatusCheckTexts texts, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        ReleaseId = releaseId,
        Context = context,
        State = state,
        Name = Replace(texts.Name, null),
        Description = Replace(texts.Description, null),
        TargetUrl = Replace(texts.TargetUrl, null),
        ImageUrl = Replace(texts.ImageUrl, null),
        CreatedAt = now,
        UpdatedAt = now,
    };

    /// <summary>Moves the check to <paramref name="state"/> (when given) and replaces the texts given: a null text stays as it was, an empty one is cleared.</summary>
    public void Update(StatusCheckState? state, StatusCheckTexts texts, DateTimeOffset now)
    {
        State = state ?? State;
        Name = Replace(texts.Name, Name);
        Description = Replace(texts.Description, Description);
        TargetUrl = Replace(texts.TargetUrl, TargetUrl);
        ImageUrl = Replace(texts.ImageUrl, ImageUrl);
        UpdatedAt = now;
    }

    private static string? Replace(string? given, string? now) => given switch
    {
        null => now,
        "" => null,
        _ => given,
    };
}

/// <summary>The optional texts of a <see cref="StatusCheck"/>, already checked.</summary>
public sealed record StatusCheckTexts(string? Name, string? Description, string? TargetUrl, string? ImageUrl);

internal sealed class StatusCheckConfiguration : IEntityTypeConfiguration<StatusCheck>
{
    public void Configure(EntityTypeBuilder<StatusCheck> check)
    {
        check.ToTable("ReleaseStatuses");
        check.Property(c => c.Context).HasMaxLength(ReleaseStatusService.MaxContextLength);
        check.Property(c => c.State).HasConversion<string>().HasMaxLength(16);
        check.Property(c => c.Name).HasMaxLength(ReleaseStatusService.MaxNameLength);
        check.Property(c => c.Description).HasMaxLength(ReleaseStatusService.MaxDescriptionLength);
        check.Property(c => c.TargetUrl).HasMaxLength(ReleaseStatusService.MaxUrlLength);
        check.Property(c => c.ImageUrl).HasMaxLength(ReleaseStatusService.MaxUrlLength);
        check.HasIndex(c => new { c.ReleaseId, c.Context }).IsUnique();
        check.HasOne<Release>().WithMany().HasForeignKey(c => c.ReleaseId).OnDelete(DeleteBehavior.Cascade);
    }
}
