using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Slipway.Server.Data;

namespace Slipway.Server.Routing;

/// <summary>
/// Keeps in the <see cref="RouteTable"/> the web processes other servers run, from their
/// <see cref="ProcessRecord"/>s, so that every server's router answers for every app: read again when
/// a server says its routes changed (PostgreSQL <c>LISTEN</c>/<c>NOTIFY</c>) and at least every
/// <see cref="RouterOptions.RoutePollSeconds"/>. Per app it takes the processes of the newest release
/// recorded by a live server (heartbeat lease), and the table never goes back to an older release.
/// Records of servers whose heartbeat lapsed are removed. The same connection hears a peer ask this
/// server to deploy a release of an app it owns (<see cref="Runtime.DeployWakeup"/>).
/// </summary>
public sealed partial class RouteFeed(
    IDbContextFactory<SlipwayDb> dbs,
    RouteTable routes,
    ServerIdentity server,
    TimeProvider clock,
    Runtime.DeployWakeup deploys,
    IOptions<RouterOptions> options,
    ILogger<RouteFeed> logger) : BackgroundService
{
    private readonly SemaphoreSlim _changed = new(0);

    /// <summary>Reads the other servers' records now (also what the poll and the notifications do).</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var live = (await db.WorkLeases.AsNoTracking()
            .Where(l => l.Scope.StartsWith("server:") && l.ExpiresAt > now)
            .Select(l => l.Scope)
            .ToListAsync(ct))
            .Select(scope => scope["server:".Length..])
            .ToHashSet(StringComparer.Ordinal);
        var records = await db.ProcessRecords.AsNoTracking().Where(r => r.ServerId != server.Id).ToListAsync(ct);

        var dead = records.Select(r => r.ServerId).Where(id => !live.Contains(id)).Distinct().ToList();
        if (dead.Count > 0)
        {
            await db.ProcessRecords.Where(r => dead.Contains(r.ServerId)).ExecuteDeleteAsync(ct);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var app in records.Where(r => live.Contains(r.ServerId)).GroupBy(r => r.AppId))
        {
            var version = app.Max(r => r.ReleaseVersion);
            var newest = app.Where(r => r.ReleaseVersion == version).OrderBy(r => r.ServerId, StringComparer.Ordinal).ThenBy(r => r.DynoName, StringComparer.Ordinal).ToList();
            var processes = new List<(string DynoName, string Host, int Port)>();
            foreach (var record in newest)
            {
                if (TryParse(record.Address, out var host, out var port))
                {
                    processes.Add((record.DynoName, host, port));
                }
            }

            seen.Add(newest[0].AppKey);
            routes.SetRemote(app.Key, newest[0].AppKey, version, processes);
        }

        foreach (var route in routes.RemoteRoutes().Where(r => !seen.Contains(r.AppKey)))
        {
            // Its server is gone or runs it no more: until another records it, this server has no process of it.
            routes.RemoveRemote(route.AppKey);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var db = await dbs.CreateDbContextAsync(stoppingToken);
        var listening = db.Database.IsNpgsql() ? ListenAsync(db.Database.GetConnectionString()!, stoppingToken) : Task.CompletedTask;
        var interval = TimeSpan.FromSeconds(options.Value.RoutePollSeconds);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await RefreshAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogRefreshFailed(e);
                }

                // Until a notification or the poll interval, whichever comes first; notifications that came meanwhile count once.
                using (var poll = new CancellationTokenSource(interval, clock))
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(poll.Token, stoppingToken))
                {
                    try
                    {
                        await _changed.WaitAsync(wait.Token);
                    }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                    {
                    }
                }

                while (_changed.CurrentCount > 0)
                {
                    await _changed.WaitAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await listening;
    }

    /// <summary>LISTENs on its own connection until the server stops; a lost connection is opened again (the poll covers the gap).</summary>
    private async Task ListenAsync(string connectionString, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                connection.Notification += (_, e) =>
                {
                    if (e.Channel == Runtime.DeployWakeup.Channel)
                    {
                        deploys.Wake();
                    }
                    else if (e.Channel == Runtime.DeployWakeup.RestartChannel)
                    {
                        deploys.RequestRestart(e.Payload);
                    }
                    else
                    {
                        _changed.Release();
                    }
                };
                await connection.OpenAsync(ct);
                await using (var listen = new NpgsqlCommand($"LISTEN {ProcessRecords.Channel}; LISTEN {Runtime.DeployWakeup.Channel}; LISTEN {Runtime.DeployWakeup.RestartChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }

                // What changed while there was no connection.
                _changed.Release();
                deploys.Wake();
                while (true)
                {
                    await connection.WaitAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogListenFailed(e);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(options.Value.RoutePollSeconds), clock, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private static bool TryParse(string address, out string host, out int port)
    {
        var colon = address.LastIndexOf(':');
        host = colon > 0 ? address[..colon].Trim('[', ']') : "";
        return int.TryParse(address.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) && host.Length > 0;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the other servers' web processes")]
    private partial void LogRefreshFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the notifications of route changes; polling until they are back")]
    private partial void LogListenFailed(Exception exception);
}
