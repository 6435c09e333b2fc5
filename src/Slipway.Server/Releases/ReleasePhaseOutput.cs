using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Slipway.Server.Releases;

/// <summary>What a release's release phase printed (its tail, when long) and its exit status; kept with the release.</summary>
public sealed class ReleasePhaseOutput
{
    private ReleasePhaseOutput()
    {
    }

    public Guid ReleaseId { get; private set; }

    public string Output { get; private set; } = "";

    /// <summary>Null when the release phase timed out or could not start.</summary>
    public int? ExitCode { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public static ReleasePhaseOutput Create(Guid releaseId, string output, int? exitCode, DateTimeOffset now) => new()
    {
        ReleaseId = releaseId,
        Output = output,
        ExitCode = exitCode,
        CreatedAt = now,
    };
}

internal sealed class ReleasePhaseOutputConfiguration : IEntityTypeConfiguration<ReleasePhaseOutput>
{
    public void Configure(EntityTypeBuilder<ReleasePhaseOutput> output)
    {
        output.HasKey(o => o.ReleaseId);
        output.HasOne<Release>().WithOne().HasForeignKey<ReleasePhaseOutput>(o => o.ReleaseId).OnDelete(DeleteBehavior.Cascade);
    }
}
