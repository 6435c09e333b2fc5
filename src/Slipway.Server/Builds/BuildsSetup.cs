using Slipway.Server.Sources;

namespace Slipway.Server.Builds;

public static class BuildsSetup
{
    /// <summary>Registers the builds and sources services, the build engine (queue, runner, background service), the source fetcher and their options.</summary>
    public static IServiceCollection AddBuilds(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BuildOptions>()
            .Bind(configuration.GetSection(BuildOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<BuildPaths>();
        services.AddSingleton<BuildQueue>();
        services.AddSingleton<BuildpackCatalog>();
        services.AddSingleton<SourceFetcher>();
        services.AddSingleton<BuildRunner>();
        services.AddHostedService<BuildEngine>();
        services.AddScoped<BuildService>();
        services.AddScoped<SourceService>();
        return services;
    }

    /// <summary>Maps <c>/sources</c>, and the builds' routes in the <c>/apps/{app}</c> group <paramref name="app"/>.</summary>
    public static IEndpointRouteBuilder MapBuilds(this IEndpointRouteBuilder routes, IEndpointRouteBuilder app) => routes.MapBuildsApi(app).MapSourcesApi();
}
