using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Slipway.Server.Accounts;

/// <summary>Someone who holds tokens; admins see every space, others only the spaces they belong to.</summary>
public sealed class User
{
    private User()
    {
    }

    public Guid Id { get; private set; }

    public string Email { get; private set; } = "";

    public string? Name { get; private set; }

    public bool IsAdmin { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>A disabled user keeps her memberships and history, but none of her tokens is accepted.</summary>
    public bool Disabled { get; private set; }

    /// <summary>
    /// Set when an admin deleted the user and releases or builds still name her: the row stays
    /// for that history (disabled, without tokens or memberships) and is otherwise gone.
    /// </summary>
    public DateTimeOffset? DeletedAt { get; private set; }

    public static User Create(string email, string? name, bool isAdmin, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        Email = email,
        Name = name,
        IsAdmin = isAdmin,
        CreatedAt = now,
    };

    public void SetDisabled(bool disabled) => Disabled = disabled;

    /// <summary>Keeps the user only as the name on her history: disabled and marked deleted.</summary>
    public void MarkDeleted(DateTimeOffset now)
    {
        Disabled = true;
        DeletedAt = now;
    }
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> user)
    {
        user.Property(u => u.Email).HasMaxLength(320);
        user.HasIndex(u => u.Email).IsUnique();
    }
}
