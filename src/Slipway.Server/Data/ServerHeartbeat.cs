using Microsoft.Extensions.Options;
using Slipway.Server.Runtime;

namespace Slipway.Server.Data;

/// <summary>
/// Keeps this server's lease <c>server:&lt;id&gt;</c> alive while it runs, so that other servers on
/// the same database can tell work it owns (a queued or running build) from work whose server is gone.
/// Claimed before the server listens, renewed every third of <see cref="RuntimeOptions.LeaseSeconds"/>,
/// given up on a clean stop.
/// </summary>
public sealed partial class ServerHeartbeat(Leases leases, ServerIdentity server, IOptions<RuntimeOptions> options, TimeProvider clock, ILogger<ServerHeartbeat> logger) : BackgroundService
{
    public static string ScopeOf(string serverId) => $"server:{serverId}";

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await leases.TryClaimAsync(ScopeOf(server.Id), options.Value.Lease, cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await leases.GiveUpAsync(ScopeOf(server.Id));
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
