using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Slipway.Server.Spaces;

namespace Slipway.Server.Apps;

/// <summary>An app in a space, addressed by its key <c>name-space</c> or its id.</summary>
public sealed class App
{
    private App()
    {
    }

    public Guid Id { get; private set; }

    public string Name { get; private set; } = "";

    public Guid SpaceId { get; private set; }

    public Space Space { get; private set; } = null!;

    /// <summary>
    /// Who created it; null for apps made before owners were recorded. Not a foreign key: should the
    /// user ever be gone, the app stays, and like those its owner is then the first admin.
    /// </summary>
    public Guid? OwnerId { get; private set; }

    /// <summary>What the app is, in its team's words (Akkeris's <c>description</c>).</summary>
    public string? Description { get; private set; }

    /// <summary><c>name-space</c>, unique; stored so that lookups by key are one index seek.</summary>
    public string Key { get; private set; } = "";

    /// <summary>
    /// The last release version handed out. Bumped in the transaction that inserts a release,
    /// which also takes the app's row lock, so versions are gapless and never race.
    /// </summary>
    public int ReleaseCounter { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public static App Create(string name, Space space, Guid ownerId, string? description, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        Name = name,
        SpaceId = space.Id,
        Space = space,
        OwnerId = ownerId,
        Description = description,
        Key = KeyOf(name, space.Name),
        CreatedAt = now,
        UpdatedAt = now,
    };

    public static string KeyOf(string name, string space) => $"{name}-{space}";
}

internal sealed class AppConfiguration : IEntityTypeConfiguration<App>
{
    public void Configure(EntityTypeBuilder<App> app)
    {
        app.Property(a => a.Name).HasMaxLength(63);
        app.Property(a => a.Key).HasMaxLength(127);
        app.Property(a => a.Description).HasMaxLength(Names.MaxDescription);
        app.HasIndex(a => a.Key).IsUnique();
        app.HasOne(a => a.Space).WithMany().HasForeignKey(a => a.SpaceId).OnDelete(DeleteBehavior.Restrict);
    }
}
