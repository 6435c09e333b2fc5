using Microsoft.EntityFrameworkCore;
using Slipway.Contracts;
using Slipway.Server.Data;
using Slipway.Server.Http;

namespace Slipway.Server.Accounts;

/// <summary>A token just issued, with its secret: the one time the secret is known.</summary>
public sealed record IssuedToken(ApiToken Token, string Secret);

/// <summary>
/// Users and their tokens: an admin creates, disables and deletes users; anyone issues, lists and
/// revokes her own tokens (an admin anyone's). Every change is seen by the next request: a request
/// looks its token and user up again (<see cref="TokenIdentity"/>), API and dashboard alike.
/// </summary>
public sealed class AccountService(SlipwayDb db, TimeProvider clock)
{
    public const int MaxEmailLength = 320;

    public const int MaxNameLength = 255;

    public const int MaxTokenDescriptionLength = 255;

    /// <summary>The "me" of <c>/users/me/tokens</c>.</summary>
    public const string Me = "me";

    /// <summary>Heroku's name for the caller in <c>/users/~</c>.</summary>
    public const string Self = "~";

    public async Task<Answer<User>> FindAsync(Caller caller, CancellationToken ct) =>
        await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == caller.UserId, ct) is { } user
            ? user
            : Refusal.NotFound("Your user no longer exists.");

    /// <summary>Every user but the deleted ones kept for their history.</summary>
    public async Task<List<User>> ListAsync(CancellationToken ct) =>
        await db.Users.AsNoTracking().Where(u => u.DeletedAt == null).OrderBy(u => u.Email).ToListAsync(ct);

    /// <summary>Creates a user with a first token.</summary>
    public async Task<Answer<(User User, IssuedToken Token)>> CreateUserAsync(CreateUserRequest request, CancellationToken ct)
    {
        var email = request.Email?.Trim().ToLowerInvariant();
        if (email?.Length > MaxEmailLength)
        {
            return Refusal.TooLong("email", email.Length, MaxEmailLength, nameof(request.Email));
        }

        if (string.IsNullOrEmpty(email) || email.IndexOf('@') is <= 0 || email.EndsWith('@') || email.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return Refusal.Invalid($"'{request.Email}' is not a valid email address.", nameof(request.Email));
        }

        if (request.Name?.Length > MaxNameLength)
        {
            return Refusal.TooLong("name", request.Name.Length, MaxNameLength, nameof(request.Name));
        }

        if (await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Email == email, ct) is { } existing)
        {
            return Refusal.Conflict(
                existing.DeletedAt is null
                    ? $"A user with email '{email}' already exists."
                    : $"A user with email '{email}' was deleted; the releases and builds she made still name her. Use another email.",
                nameof(request.Email));
        }

        var now = clock.GetUtcNow();
        var user = User.Create(email, request.Name, request.Admin, now);
        var (token, secret) = ApiToken.Issue(user.Id, "first token", now);
        db.Users.Add(user);
        db.Tokens.Add(token);
        if (!await db.TrySaveUniqueAsync(ct))
        {
            return Refusal.Conflict($"A user with email '{email}' already exists.", nameof(request.Email));
        }

        return (user, new IssuedToken(token, secret));
    }

    /// <summary>Issues a token for <paramref name="who"/> (see <see cref="FindUserAsync"/>).</summary>
    public async Task<Answer<(User User, IssuedToken Token)>> IssueTokenAsync(Caller caller, string who, string? description, CancellationToken ct)
    {
        if (description?.Length > MaxTokenDescriptionLength)
        {
            return Refusal.TooLong("description", description.Length, MaxTokenDescriptionLength, nameof(CreateTokenRequest.Description));
        }

        var target = await FindUserAsync(caller, who, ct);
        if (target.Refused)
        {
            return target.Refusal;
        }

        var (token, secret) = ApiToken.Issue(target.Value.Id, description, clock.GetUtcNow());
        db.Tokens.Add(token);
        await db.SaveChangesAsync(ct);
        return (target.Value, new IssuedToken(token, secret));
    }

    /// <summary>The tokens of <paramref name="who"/>, oldest first, without their secrets (only hashes are kept anyway).</summary>
    public async Task<Answer<List<ApiToken>>> ListTokensAsync(Caller caller, string who, CancellationToken ct)
    {
        var target = await FindUserAsync(caller, who, ct);
        return target.Refused
            ? target.Refusal
            : await db.Tokens.AsNoTracking().Where(t => t.UserId == target.Value.Id).OrderBy(t => t.CreatedAt).ThenBy(t => t.Id).ToListAsync(ct);
    }

    /// <summary>Revokes one token of <paramref name="who"/>: the next request with it gets a 401.</summary>
    public async Task<Answer<ApiToken>> RevokeTokenAsync(Caller caller, string who, string tokenId, CancellationToken ct)
    {
        var target = await FindUserAsync(caller, who, ct);
        if (target.Refused)
        {
            return target.Refusal;
        }

        var token = Guid.TryParse(tokenId, out var id)
            ? await db.Tokens.FirstOrDefaultAsync(t => t.Id == id && t.UserId == target.Value.Id, ct)
            : null;
        if (token is null)
        {
            return Refusal.NotFound($"Token '{tokenId}' not found.");
        }

        db.Tokens.Remove(token);
        await db.SaveChangesAsync(ct);
        return token;
    }

    /// <summary>Disables or enables a user (admins only); an admin cannot disable herself.</summary>
    public async Task<Answer<User>> UpdateUserAsync(Caller caller, string who, UpdateUserRequest request, CancellationToken ct)
    {
        var target = await FindUserAsync(caller, who, ct, tracked: true);
        if (target.Refused)
        {
            return target.Refusal;
        }

        var user = target.Value;
        if (request.Disabled is { } disabled && disabled != user.Disabled)
        {
            if (disabled && LockoutProblem(caller, user, "disable") is { } problem)
            {
                return problem;
            }

            user.SetDisabled(disabled);
            await db.SaveChangesAsync(ct);
        }

        return user;
    }

    /// <summary>
    /// Deletes a user (admins only): her tokens, space memberships, favorites and uploads go at
    /// once. When releases or builds name her, her row stays for that history, disabled and marked deleted.
    /// </summary>
    public async Task<Answer<User>> DeleteUserAsync(Caller caller, string who, CancellationToken ct)
    {
        var target = await FindUserAsync(caller, who, ct, tracked: true);
        if (target.Refused)
        {
            return target.Refusal;
        }

        var user = target.Value;
        if (LockoutProblem(caller, user, "delete") is { } problem)
        {
            return problem;
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Tokens.Where(t => t.UserId == user.Id).ExecuteDeleteAsync(ct);
        await db.SpaceMembers.Where(m => m.UserId == user.Id).ExecuteDeleteAsync(ct);
        await db.Favorites.Where(f => f.UserId == user.Id).ExecuteDeleteAsync(ct);
        await db.SourceUploads.Where(s => s.UserId == user.Id).ExecuteDeleteAsync(ct);
        var named = await db.Releases.AnyAsync(r => r.UserId == user.Id, ct)
            || await db.Builds.AnyAsync(b => b.UserId == user.Id, ct)
            || await db.AutoDeploySettings.AnyAsync(s => s.UserId == user.Id, ct);
        if (named)
        {
            user.MarkDeleted(clock.GetUtcNow());
        }
        else
        {
            db.Users.Remove(user);
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return user;
    }

    /// <summary>
    /// The user <paramref name="who"/> names: <see cref="Me"/> or <see cref="Self"/> (the caller), an
    /// id or an email. A non-admin finds only herself; a deleted user is not found.
    /// </summary>
    private async Task<Answer<User>> FindUserAsync(Caller caller, string who, CancellationToken ct, bool tracked = false)
    {
        var users = (tracked ? db.Users : db.Users.AsNoTracking()).Where(u => u.DeletedAt == null);
        var target = who is Me or Self
            ? await users.FirstOrDefaultAsync(u => u.Id == caller.UserId, ct)
            : Guid.TryParse(who, out var id)
                ? await users.FirstOrDefaultAsync(u => u.Id == id, ct)
                : await users.FirstOrDefaultAsync(u => u.Email == who.ToLowerInvariant(), ct);
        return target is null || (!caller.IsAdmin && target.Id != caller.UserId) ? Refusal.NotFound($"User '{who}' not found.") : target;
    }

    /// <summary>An admin may not lock herself out; with that, an enabled admin always remains (the caller).</summary>
    private static Refusal? LockoutProblem(Caller caller, User target, string verb) =>
        target.Id == caller.UserId ? Refusal.Conflict($"You cannot {verb} your own user; ask another admin.") : null;
}
