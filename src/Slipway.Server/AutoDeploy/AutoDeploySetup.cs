namespace Slipway.Server.AutoDeploy;

public static class AutoDeploySetup
{
    /// <summary>Registers auto-deploy: its service, the git and GitHub clients, the push queue and the poller, and their options.</summary>
    public static IServiceCollection AddAutoDeploy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AutoDeployOptions>()
            .Bind(configuration.GetSection(AutoDeployOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<GitOptions>()
            .Bind(configuration.GetSection(GitOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.CommandTimeout > TimeSpan.Zero, "Slipway:Git:CommandTimeout must be positive.")
            .ValidateOnStart();
        services.AddOptions<GitHubOptions>()
            .Bind(configuration.GetSection(GitHubOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<AutoDeploySecrets>();
        services.AddSingleton<GitClient>();
        services.AddSingleton<GitHubClient>();
        services.AddSingleton<AutoDeployer>();
        services.AddHostedService(sp => sp.GetRequiredService<AutoDeployer>());
        services.AddHostedService<GitPoller>();
        services.AddScoped<AutoDeployService>();
        return services;
    }

    /// <summary>Maps GitHub's webhooks (signed, without a token), and the settings' routes in the <c>/apps/{app}</c> group <paramref name="app"/>.</summary>
    public static IEndpointRouteBuilder MapAutoDeploy(this IEndpointRouteBuilder routes, IEndpointRouteBuilder app)
    {
        app.MapAutoDeployApi();
        return routes.MapGitHubWebhooks();
    }
}
