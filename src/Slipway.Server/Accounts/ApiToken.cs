using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Slipway.Server.Accounts;

/// <summary>
/// A bearer token. Only the SHA-256 of the secret is stored: tokens are 256 random bits,
/// so a fast hash is enough and lets a request find its token with one indexed lookup.
/// </summary>
public sealed class ApiToken
{
    private const string Prefix = "slw_";

    private ApiToken()
    {
    }

    public Guid Id { get; private set; }

    public Guid UserId { get; private set; }

    public User User { get; private set; } = null!;

    public string Hash { get; private set; } = "";

    public string? Description { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>Creates a token for <paramref name="userId"/>; the secret is returned once and not kept.</summary>
    public static (ApiToken Token, string Secret) Issue(Guid userId, string? description, DateTimeOffset now, string? secret = null)
    {
        secret ??= Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var token = new ApiToken
        {
            Id = Guid.CreateVersion7(now),
            UserId = userId,
            Hash = HashOf(secret),
            Description = description,
            CreatedAt = now,
        };
        return (token, secret);
    }

    public static string HashOf(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> token)
    {
        token.Property(t => t.Hash).HasMaxLength(64);
        token.HasIndex(t => t.Hash).IsUnique();
        token.HasOne(t => t.User).WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
