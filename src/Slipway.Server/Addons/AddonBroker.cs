using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Slipway.Server.Addons;

/// <summary>A broker an admin registered through the API (configured and built-in brokers are not stored).</summary>
public sealed class AddonBroker
{
    private AddonBroker()
    {
    }

    public string Name { get; private set; } = "";

    public string Url { get; private set; } = "";

    public string? Username { get; private set; }

    /// <summary>Kept to call the broker; never returned by the API.</summary>
    public string? Password { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public static AddonBroker Create(string name, Uri url, string? username, string? password, DateTimeOffset now) => new()
    {
        Name = name,
        Url = url.ToString(),
        Username = username,
        Password = password,
        CreatedAt = now,
    };
}

internal sealed class AddonBrokerConfiguration : IEntityTypeConfiguration<AddonBroker>
{
    public void Configure(EntityTypeBuilder<AddonBroker> broker)
    {
        broker.HasKey(b => b.Name);
        broker.Property(b => b.Name).HasMaxLength(63);
        broker.Property(b => b.Url).HasMaxLength(2048);
    }
}
