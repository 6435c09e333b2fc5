using Microsoft.EntityFrameworkCore;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Data;
using Slipway.Server.Http;

namespace Slipway.Server.Apps;

/// <summary>Creating an app, for the API and the dashboard alike: the name rules, a space the caller sees, a unique key.</summary>
public static class AppCreation
{
    /// <summary>Creates the app; exactly one of the answer's parts is set.</summary>
    public static async Task<(App? App, Refusal? Refusal)> CreateAsync(CreateAppRequest request, Caller caller, Access access, SlipwayDb db, TimeProvider clock, CancellationToken ct)
    {
        var name = request.Name?.Trim();
        if (Names.AppNameProblem(name) is { } problem)
        {
            return (null, Refusal.Invalid(problem, nameof(request.Name)));
        }

        if (string.IsNullOrWhiteSpace(request.Space))
        {
            return (null, Refusal.Invalid("A space is required (aka apps:create NAME -s SPACE).", nameof(request.Space)));
        }

        var space = await access.FindSpaceAsync(caller, request.Space.Trim(), ct);
        if (space is null)
        {
            return (null, Refusal.NotFound($"Space '{request.Space}' not found.", nameof(request.Space)));
        }

        var key = App.KeyOf(name!, space.Name);
        if (await db.Apps.AnyAsync(a => a.Key == key, ct))
        {
            return (null, Refusal.Conflict($"App '{key}' already exists.", nameof(request.Name)));
        }

        var app = App.Create(name!, space, clock.GetUtcNow());
        db.Apps.Add(app);
        if (!await db.TrySaveUniqueAsync(ct))
        {
            return (null, Refusal.Conflict($"App '{key}' already exists.", nameof(request.Name)));
        }

        return (app, null);
    }
}
