using Microsoft.Extensions.Options;
using Slipway.Server.Addons.BuiltIn;

namespace Slipway.Server.Addons;

public static class AddonsSetup
{
    /// <summary>Registers the add-on service, the brokers (built-in and configured), the catalog cache and the background jobs.</summary>
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
        services.AddScoped<AddonService>();
        return services;
    }

    /// <summary>Maps the built-in brokers, the broker and service catalog routes, and the add-ons' routes in the <c>/apps/{app}</c> group <paramref name="app"/>.</summary>
    public static IEndpointRouteBuilder MapAddons(this IEndpointRouteBuilder routes, IEndpointRouteBuilder app)
    {
        routes.MapBuiltInBrokersApi();
        routes.MapAddonBrokersApi();
        routes.MapAddonsApi(app);
        return routes;
    }
}
