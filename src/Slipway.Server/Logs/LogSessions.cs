using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Slipway.Server.Logs;

/// <summary>What a log session streams: whose log, how many recent lines, and whether to follow.</summary>
public sealed record LogSession(Guid AppId, int Lines, bool Tail);

/// <summary>
/// Log sessions as Heroku's <c>logplex_url</c> works: the URL carries the session, signed and
/// expiring (Data Protection, keys in the data folder, so any server that shares them accepts it),
/// so the client that reads it sends no token (Akkeris's CLI sends no headers at all).
/// </summary>
public sealed class LogSessions(IDataProtectionProvider provider, TimeProvider clock)
{
    /// <summary>
    /// How long a session URL can be opened: long enough for a client to open it and reconnect a
    /// dropped tail, short enough that a URL seen in a log or a terminal soon opens nothing.
    /// </summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    private readonly ITimeLimitedDataProtector _protector = provider.CreateProtector("Slipway.LogSessions.v1").ToTimeLimitedDataProtector();

    /// <summary>The session as the token its URL carries, and until when that URL works.</summary>
    public (string Token, DateTimeOffset ExpiresAt) Sign(LogSession session)
    {
        var expires = clock.GetUtcNow() + Lifetime;
        var text = string.Create(CultureInfo.InvariantCulture, $"{session.AppId:N} {session.Lines} {(session.Tail ? 1 : 0)}");
        return (_protector.Protect(text, expires), expires);
    }

    /// <summary>The session a token stands for; null when it was not signed here, was changed, or has expired.</summary>
    public LogSession? Open(string token)
    {
        string text;
        try
        {
            text = _protector.Unprotect(token, out var expires);
            if (expires < clock.GetUtcNow())
            {
                return null;
            }
        }
        catch (CryptographicException)
        {
            return null;
        }

        var parts = text.Split(' ');
        return parts.Length == 3 && Guid.TryParseExact(parts[0], "N", out var appId) && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var lines)
            ? new LogSession(appId, lines, parts[2] == "1")
            : null;
    }
}
