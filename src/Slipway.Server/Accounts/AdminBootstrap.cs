using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Server.Data;

namespace Slipway.Server.Accounts;

/// <summary>
/// On the first start (no users yet) creates the admin. Its token is <c>Slipway:AdminToken</c>
/// when set; otherwise a new one, printed once and written to <c>&lt;DataDir&gt;/admin-token</c> (0600).
/// </summary>
public sealed partial class AdminBootstrap(SlipwayDb db, IOptions<SlipwayOptions> options, TimeProvider clock, ILogger<AdminBootstrap> logger)
{
    public const string AdminEmail = "admin@slipway.local";

    public async Task EnsureAdminAsync(CancellationToken ct)
    {
        if (await db.Users.AnyAsync(ct))
        {
            return;
        }

        var now = clock.GetUtcNow();
        var admin = User.Create(AdminEmail, "Administrator", isAdmin: true, now);
        var configured = options.Value.AdminToken;
        var (token, secret) = ApiToken.Issue(admin.Id, "first admin token", now, string.IsNullOrWhiteSpace(configured) ? null : configured);
        db.Users.Add(admin);
        db.Tokens.Add(token);

        // Servers started at once on a new database race here; the admin is the first one's.
        if (!await db.TrySaveUniqueAsync(ct))
        {
            return;
        }

        if (!string.IsNullOrWhiteSpace(configured))
        {
            LogAdminFromConfiguration(logger, AdminEmail);
            return;
        }

        var path = Path.Combine(options.Value.FullDataDir, "admin-token");
        await using (var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        await using (var writer = new StreamWriter(file))
        {
            await writer.WriteLineAsync(secret);
        }

        // Printed to the console, not the log: this is the one time the secret is shown.
        Console.WriteLine($"Slipway admin token (shown once, also in {path}):");
        Console.WriteLine(secret);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created admin {Email} with the token from Slipway:AdminToken")]
    private static partial void LogAdminFromConfiguration(ILogger logger, string email);
}
