using Microsoft.EntityFrameworkCore;
using Slipway.Contracts;
using Slipway.Server.Data;
using Slipway.Server.Http;

namespace Slipway.Server.Accounts;

/// <summary>A token just issued, with its secret: the one time the secret is known.</summary>
public sealed record IssuedToken(ApiToken Token, string Secret);

/// <summary>Users and their tokens: an admin creates users (each with a first token); anyone issues tokens for themselves.</summary>
public sealed class AccountService(SlipwayDb db, TimeProvider clock)
{
    public const int MaxEmailLength = 320;

    /// <summary>The "me" of <c>POST /users/me/tokens</c>.</summary>
    public const string Me = "me";

    public async Task<Answer<User>> FindAsync(Caller caller, CancellationToken ct) =>
        await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == caller.UserId, ct) is { } user
            ? user
            : Refusal.NotFound("Your user no longer exists.");

    public async Task<List<User>> ListAsync(CancellationToken ct) => await db.Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync(ct);

    /// <summary>Creates a user with a first token.</summary>
    public async Task<Answer<(User User, IssuedToken Token)>> CreateUserAsync(CreateUserRequest request, CancellationToken ct)
    {
        var email = request.Email?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(email) || email.Length > MaxEmailLength || email.IndexOf('@') is <= 0 || email.EndsWith('@') || email.Any(char.IsWhiteSpace))
        {
            return Refusal.Invalid($"'{request.Email}' is not a valid email address.", nameof(request.Email));
        }

        if (await db.Users.AnyAsync(u => u.Email == email, ct))
        {
            return Refusal.Conflict($"A user with email '{email}' already exists.", nameof(request.Email));
        }

        var now = clock.GetUtcNow();
        var user = User.Create(email, request.Name, request.Admin, now);
        var (token, secret) = ApiToken.Issue(user.Id, "first token", now);
        db.Users.Add(user);
        db.Tokens.Add(token);
        await db.SaveChangesAsync(ct);
        return (user, new IssuedToken(token, secret));
    }

    /// <summary>Issues a token for <paramref name="who"/> (<see cref="Me"/>, an id or an email); only admins issue tokens for others.</summary>
    public async Task<Answer<(User User, IssuedToken Token)>> IssueTokenAsync(Caller caller, string who, string? description, CancellationToken ct)
    {
        var target = who == Me
            ? await db.Users.FirstOrDefaultAsync(u => u.Id == caller.UserId, ct)
            : Guid.TryParse(who, out var id)
                ? await db.Users.FirstOrDefaultAsync(u => u.Id == id, ct)
                : await db.Users.FirstOrDefaultAsync(u => u.Email == who.ToLowerInvariant(), ct);
        if (target is null || (!caller.IsAdmin && target.Id != caller.UserId))
        {
            return Refusal.NotFound($"User '{who}' not found.");
        }

        var (token, secret) = ApiToken.Issue(target.Id, description, clock.GetUtcNow());
        db.Tokens.Add(token);
        await db.SaveChangesAsync(ct);
        return (target, new IssuedToken(token, secret));
    }
}
