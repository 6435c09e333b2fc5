using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Slipway.Server.Data;

/// <summary>
/// A claim on work that must happen once across every server sharing the database (deploying an
/// app, polling a repository). It lapses at <see cref="ExpiresAt"/> unless its holder renews it,
/// so the work of a server that died is taken over by another.
/// </summary>
public sealed class WorkLease
{
    private WorkLease()
    {
    }

    /// <summary>What is claimed, e.g. <c>deploy:&lt;app id&gt;</c>.</summary>
    public string Scope { get; private set; } = "";

    /// <summary>The server holding it (<see cref="ServerIdentity.Id"/>).</summary>
    public string Holder { get; private set; } = "";

    public DateTimeOffset ExpiresAt { get; private set; }

    public static WorkLease Create(string scope, string holder, DateTimeOffset expiresAt) => new()
    {
        Scope = scope,
        Holder = holder,
        ExpiresAt = expiresAt,
    };
}

internal sealed class WorkLeaseConfiguration : IEntityTypeConfiguration<WorkLease>
{
    public void Configure(EntityTypeBuilder<WorkLease> lease)
    {
        lease.HasKey(l => l.Scope);
        lease.Property(l => l.Scope).HasMaxLength(200);
        lease.Property(l => l.Holder).HasMaxLength(200);
    }
}

/// <summary>This server process, as it names itself in <see cref="WorkLease"/>s.</summary>
public sealed class ServerIdentity
{
    public string Id { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";
}
