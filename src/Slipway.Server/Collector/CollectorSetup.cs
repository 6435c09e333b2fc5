namespace Slipway.Server.Collector;

public static class CollectorSetup
{
    /// <summary>Registers the rules for what is left behind (used by destroying an app) and the periodic collector.</summary>
    public static IServiceCollection AddCollector(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CollectorOptions>()
            .Bind(configuration.GetSection(CollectorOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<Leftovers>();
        services.AddSingleton<PeriodicCollector>();
        services.AddHostedService(sp => sp.GetRequiredService<PeriodicCollector>());
        return services;
    }
}
