using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Slipway.Server.Routing;

/// <summary>
/// One web process that takes traffic, as the server running it published it: which server
/// (<see cref="Data.ServerIdentity.Id"/>), which app and release, and the address other servers'
/// routers reach it at (<c>Slipway:Runtime:AdvertiseAddress</c> and its port). A server rewrites its
/// rows of an app whenever the traffic of that app moves; rows of a server whose heartbeat lapsed are removed.
/// </summary>
public sealed class ProcessRecord
{
    private ProcessRecord()
    {
    }

    public Guid Id { get; private set; }

    public string ServerId { get; private set; } = "";

    public Guid AppId { get; private set; }

    public string AppKey { get; private set; } = "";

    public int ReleaseVersion { get; private set; }

    public string ProcessType { get; private set; } = "";

    /// <summary>The process's name, e.g. <c>web.1</c>.</summary>
    public string DynoName { get; private set; } = "";

    /// <summary>Where the process answers, <c>host:port</c>.</summary>
    public string Address { get; private set; } = "";

    public DateTimeOffset UpdatedAt { get; private set; }

    public static ProcessRecord Create(string serverId, Guid appId, string appKey, int releaseVersion, string processType, string dynoName, string address, DateTimeOffset now) => new()
    {
        Id = Guid.NewGuid(),
        ServerId = serverId,
        AppId = appId,
        AppKey = appKey,
        ReleaseVersion = releaseVersion,
        ProcessType = processType,
        DynoName = dynoName,
        Address = address,
        UpdatedAt = now,
    };
}

internal sealed class ProcessRecordConfiguration : IEntityTypeConfiguration<ProcessRecord>
{
    public void Configure(EntityTypeBuilder<ProcessRecord> record)
    {
        record.HasKey(r => r.Id);
        record.Property(r => r.ServerId).HasMaxLength(200);
        record.Property(r => r.AppKey).HasMaxLength(200);
        record.Property(r => r.ProcessType).HasMaxLength(200);
        record.Property(r => r.DynoName).HasMaxLength(220);
        record.Property(r => r.Address).HasMaxLength(300);
        record.HasIndex(r => new { r.ServerId, r.AppId });
        record.HasIndex(r => r.AppId);
    }
}
