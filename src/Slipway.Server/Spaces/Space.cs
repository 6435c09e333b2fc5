using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Slipway.Server.Accounts;
using Slipway.Server.Data;

namespace Slipway.Server.Spaces;

/// <summary>A group of apps, usually an environment (<c>prod</c>, <c>qa</c>); the unit of access.</summary>
public sealed class Space
{
    private readonly List<SpaceMember> _members = [];

    private Space()
    {
    }

    public Guid Id { get; private set; }

    public string Name { get; private set; } = "";

    public string? Description { get; private set; }

    /// <summary>Akkeris's compliance tags (<c>internal</c>, <c>prod</c>, ...): labels Slipway keeps and shows.</summary>
    public List<string> Compliance { get; private set; } = [];

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public IReadOnlyCollection<SpaceMember> Members => _members;

    public static Space Create(string name, string? description, IEnumerable<string> compliance, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        Name = name,
        Description = description,
        Compliance = [.. compliance],
        CreatedAt = now,
        UpdatedAt = now,
    };

    public void AddMember(User user, DateTimeOffset now)
    {
        if (_members.Any(m => m.UserId == user.Id))
        {
            return;
        }

        _members.Add(new SpaceMember(Id, user.Id, now));
        UpdatedAt = now;
    }

    /// <summary>Takes the user out of the space; false when she was not a member.</summary>
    public bool RemoveMember(Guid userId, DateTimeOffset now)
    {
        if (_members.RemoveAll(m => m.UserId == userId) == 0)
        {
            return false;
        }

        UpdatedAt = now;
        return true;
    }
}

internal sealed class SpaceConfiguration : IEntityTypeConfiguration<Space>
{
    public void Configure(EntityTypeBuilder<Space> space)
    {
        space.Property(s => s.Name).HasMaxLength(63);
        space.Property(s => s.Compliance).HasJsonConversion(JsonColumn.ByItems<string>());
        space.HasIndex(s => s.Name).IsUnique();
        space.HasMany(s => s.Members).WithOne().HasForeignKey(m => m.SpaceId).OnDelete(DeleteBehavior.Cascade);
        space.Navigation(s => s.Members).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

public sealed class SpaceMember
{
    public SpaceMember(Guid spaceId, Guid userId, DateTimeOffset addedAt)
    {
        SpaceId = spaceId;
        UserId = userId;
        AddedAt = addedAt;
    }

    public Guid SpaceId { get; private set; }

    public Guid UserId { get; private set; }

    public User User { get; private set; } = null!;

    public DateTimeOffset AddedAt { get; private set; }
}

internal sealed class SpaceMemberConfiguration : IEntityTypeConfiguration<SpaceMember>
{
    public void Configure(EntityTypeBuilder<SpaceMember> member)
    {
        member.HasKey(m => new { m.SpaceId, m.UserId });
        member.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
