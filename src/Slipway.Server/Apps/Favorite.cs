using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Slipway.Server.Accounts;

namespace Slipway.Server.Apps;

/// <summary>An app a user marked as a favorite (Akkeris's <c>/favorites</c>); it goes with the app or the user.</summary>
public sealed class Favorite
{
    private Favorite()
    {
    }

    public Guid UserId { get; private set; }

    public Guid AppId { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public static Favorite Create(Guid userId, Guid appId, DateTimeOffset now) => new() { UserId = userId, AppId = appId, CreatedAt = now };
}

internal sealed class FavoriteConfiguration : IEntityTypeConfiguration<Favorite>
{
    public void Configure(EntityTypeBuilder<Favorite> favorite)
    {
        favorite.HasKey(f => new { f.UserId, f.AppId });
        favorite.HasIndex(f => f.AppId);
        favorite.HasOne<User>().WithMany().HasForeignKey(f => f.UserId).OnDelete(DeleteBehavior.Cascade);
        favorite.HasOne<App>().WithMany().HasForeignKey(f => f.AppId).OnDelete(DeleteBehavior.Cascade);
    }
}
