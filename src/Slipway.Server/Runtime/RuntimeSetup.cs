using Slipway.Server.Logs;
using Slipway.Server.Routing;
using Slipway.Server.Runtime.Kubernetes;

namespace Slipway.Server.Runtime;

public static class RuntimeSetup
{
    /// <summary>
    /// The deployer and the runtime that <c>Slipway:Runtime:Kind</c> names: local (the default: app
    /// processes on this machine behind the built-in router) or Kubernetes (no router here: the cluster's
    /// Service and Ingress route). Hosted services stop in reverse order: the deployer first (no new work),
    /// then the app processes, then the router.
    /// </summary>
    public static IServiceCollection AddSlipwayRuntime(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RuntimeOptions>()
            .Bind(configuration.GetSection(RuntimeOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // Stopping the server stops every app process, each with its grace period: leave time for that.
        var grace = TimeSpan.FromSeconds((configuration.GetSection(RuntimeOptions.Section).Get<RuntimeOptions>() ?? new RuntimeOptions()).StopGraceSeconds);
        services.Configure<HostOptions>(o => o.ShutdownTimeout = o.ShutdownTimeout < grace + TimeSpan.FromSeconds(15) ? grace + TimeSpan.FromSeconds(15) : o.ShutdownTimeout);

        services.AddSingleton<AppLogStore>();
        services.AddSingleton<LogSessions>();
        if (configuration[$"{RuntimeOptions.Section}:Kind"] == RuntimeOptions.Kubernetes)
        {
            services.AddKubernetesRuntime(configuration);
        }
        else
        {
            services.AddLocalRuntime(configuration);
        }

        // Also with Kubernetes: destroying an app and the collector remove what a local run may have unpacked.
        services.AddSingleton<SlugCache>();
        services.AddSingleton<DeployWakeup>();
        services.AddSingleton<Deployer>();
        services.AddHostedService(sp => sp.GetRequiredService<Deployer>());
        services.AddScoped<FormationService>();
        services.AddScoped<DynoService>();
        return services;
    }

    /// <summary>Maps the runtime's routes in the <c>/apps/{app}</c> group (and the log session stream, which needs no token, beside it).</summary>
    public static IEndpointRouteBuilder MapRuntimeApi(this IEndpointRouteBuilder routes, IEndpointRouteBuilder app)
    {
        app.MapFormationApi();
        app.MapDynosApi();
        routes.MapLogsApi(app);
        return routes;
    }

    /// <summary>The local runtime and the router in front of it, which starts before the app processes and stops after them.</summary>
    private static void AddLocalRuntime(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RouterOptions>()
            .Bind(configuration.GetSection(RouterOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddHttpForwarder();

        // Forwarding errors are the app's business: the router writes them to the app's log (slipway[router]).
        services.AddLogging(logging => logging.AddFilter("Yarp.ReverseProxy.Forwarder.HttpForwarder", LogLevel.Error));
        services.AddSingleton<RouteTable>();
        services.AddSingleton<RouterHost>();
        services.AddHostedService(sp => sp.GetRequiredService<RouterHost>());

        // Other servers' web processes, read into the route table; this server's, written for them.
        services.AddSingleton<RouteFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<RouteFeed>());
        services.AddSingleton<ProcessRecords>();
        services.AddHostedService(sp => sp.GetRequiredService<ProcessRecords>());

        services.AddSingleton<LocalRuntime>();
        services.AddSingleton<IAppRuntime>(sp => sp.GetRequiredService<LocalRuntime>());
        services.AddHostedService(sp => sp.GetRequiredService<LocalRuntime>());
    }
}
