namespace Slipway.Server.Hooks;

public static class HooksSetup
{
    /// <summary>Registers webhooks: the service, the one event publisher, the outbox's deliverer and its options.</summary>
    public static IServiceCollection AddHooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HookOptions>()
            .Bind(configuration.GetSection(HookOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<HookEvents>();
        services.AddScoped<HookService>();
        services.AddSingleton<HookDeliverer>();
        services.AddHostedService(sp => sp.GetRequiredService<HookDeliverer>());
        return services;
    }
}
