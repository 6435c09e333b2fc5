using Slipway.Server.Sources;

namespace Slipway.Server.Builds;

public static class BuildsSetup
{
    /// <summary>Registers the build engine (queue, runner, background service), the source fetcher and their options.</summary>
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
        return services;
    }

    public static IEndpointRouteBuilder MapBuilds(this IEndpointRouteBuilder routes) => routes.MapBuildsApi().MapSourcesApi();
}
