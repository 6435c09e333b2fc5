using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Slipway.Server.Data;

namespace Slipway.Server.Accounts;

/// <summary>
/// Who holds a token, as claims: the one lookup behind both the API's bearer tokens and the
/// dashboard's sign-in cookie, so both see the same user, admin flag and revocations.
/// </summary>
public static class TokenIdentity
{
    /// <summary>The claim that names the token an identity was made from.</summary>
    public const string TokenIdClaim = "slipway:token";

    /// <summary>The identity behind a token's secret, or null when no token has it or its user is disabled.</summary>
    public static Task<ClaimsIdentity?> FromSecretAsync(SlipwayDb db, string secret, string scheme, CancellationToken ct)
    {
        var hash = ApiToken.HashOf(secret.Trim());
        return FindAsync(db.Tokens.Where(t => t.Hash == hash), scheme, ct);
    }

    /// <summary>The identity behind a token id, or null when the token no longer exists or its user is disabled.</summary>
    public static Task<ClaimsIdentity?> FromTokenIdAsync(SlipwayDb db, Guid tokenId, string scheme, CancellationToken ct) =>
        FindAsync(db.Tokens.Where(t => t.Id == tokenId), scheme, ct);

    private static async Task<ClaimsIdentity?> FindAsync(IQueryable<ApiToken> tokens, string scheme, CancellationToken ct)
    {
        // A disabled user's tokens stay (she may be let back in) but open nothing meanwhile.
        var found = await tokens.AsNoTracking()
            .Where(t => !t.User.Disabled)
            .Select(t => new { TokenId = t.Id, UserId = t.User.Id, t.User.Email, t.User.IsAdmin })
            .FirstOrDefaultAsync(ct);
        if (found is null)
        {
            return null;
        }

        List<Claim> claims =
        [
            new(ClaimTypes.NameIdentifier, found.UserId.ToString()),
            new(ClaimTypes.Email, found.Email),
            new(TokenIdClaim, found.TokenId.ToString()),
        ];
        if (found.IsAdmin)
        {
            claims.Add(new Claim(ClaimTypes.Role, BearerAuthentication.AdminRole));
        }

        return new ClaimsIdentity(claims, scheme);
    }
}
