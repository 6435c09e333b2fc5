using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Server.Runtime;

namespace Slipway.Server.Data;

/// <summary>
/// Keeps this server's lease <c>server:&lt;id&gt;</c> alive while it runs, so that other servers on
/// the same database can tell work it owns (a queued or running build) from work whose server is gone.
/// Claimed before the server listens, renewed every third of <see cref="RuntimeOptions.LeaseSeconds"/>,
/// given up on a clean stop. It renews the apps this server owns (<see cref="Deployer.OwnerScope"/>) with it.
/// An earlier run of this server on the same data folder (named in <c>runtime/server-id</c>) is over once
/// this one starts: its heartbeat and process records go at once, and the apps it owned are this run's.
/// </summary>
public sealed partial class ServerHeartbeat(
    Leases leases,
    ServerIdentity server,
    IDbContextFactory<SlipwayDb> dbs,
    IOptions<RuntimeOptions> options,
    IOptions<SlipwayOptions> slipway,
    TimeProvider clock,
    ILogger<ServerHeartbeat> logger) : BackgroundService
{
    public static string ScopeOf(string serverId) => $"server:{serverId}";

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await leases.TryClaimAsync(ScopeOf(server.Id), options.Value.Lease, cancellationToken);
        await TakeOverEarlierRunAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await leases.GiveUpAllAsync(Deployer.OwnerPrefix);
        await leases.GiveUpAsync(ScopeOf(server.Id));
    }

    private async Task TakeOverEarlierRunAsync(CancellationToken ct)
    {
        var path = Path.Combine(slipway.Value.FullDataDir, "runtime", "server-id");
        var earlier = File.Exists(path) ? (await File.ReadAllTextAsync(path, ct)).Trim() : null;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path + ".tmp", server.Id, ct);
        File.Move(path + ".tmp", path, overwrite: true);
        if (earlier is not { Length: > 0 } || earlier == server.Id)
        {
            return;
        }

        await leases.AdoptAsync(earlier, Deployer.OwnerPrefix, ct);
        await using var db = await dbs.CreateDbContextAsync(ct);
        var scope = ScopeOf(earlier);
        await db.WorkLeases.Where(l => l.Scope == scope).ExecuteDeleteAsync(ct);
        await db.ProcessRecords.Where(r => r.ServerId == earlier).ExecuteDeleteAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Lease / 3, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await leases.TryClaimAsync(ScopeOf(server.Id), options.Value.Lease, stoppingToken);
                    await leases.RenewAllAsync(Deployer.OwnerPrefix, options.Value.Lease, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogRenewFailed(e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew this server's heartbeat lease")]
    private partial void LogRenewFailed(Exception exception);
}
