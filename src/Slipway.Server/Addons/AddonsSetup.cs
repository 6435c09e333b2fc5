using Microsoft.Extensions.Options;
using Slipway.Server.Addons.BuiltIn;

namespace Slipway.Server.Addons;

public static class AddonsSetup
{
    public static IServiceCollection AddSlipwayAddons(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AddonOptions>()
            .Bind(configuration.GetSection(AddonOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AddonOptions>, AddonOptionsValidator>();

        services.AddHttpClient<OsbClient>();
        services.AddSingleton<CatalogCache>();
        services.AddSingleton<SelfAddress>();
        services.AddSingleton<IBuiltInBroker, PostgresBroker>();
        services.AddSingleton<IBuiltInBroker, FilestoreBroker>();
        services.AddSingleton<BuiltInBrokers>();
        services.AddScoped<BrokerRegistry>();
        services.AddScoped<AddonLifecycle>();
        services.AddSingleton<AddonJobs>();
        services.AddHostedService(sp => sp.GetRequiredService<AddonJobs>());
        return services;
    }

    public static IEndpointRouteBuilder MapAddons(this IEndpointRouteBuilder routes)
    {
        routes.MapBuiltInBrokersApi();
        routes.MapAddonBrokersApi();
        routes.MapAddonsApi();
        return routes;
    }
}
