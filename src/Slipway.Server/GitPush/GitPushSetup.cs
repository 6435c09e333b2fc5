namespace Slipway.Server.GitPush;

public static class GitPushSetup
{
    /// <summary>Registers the apps' git remotes: their repositories, git's HTTP backend and the push service (options: <c>Slipway:Git</c>, with auto-deploy's).</summary>
    public static IServiceCollection AddGitPush(this IServiceCollection services)
    {
        services.AddSingleton<AppRepositories>();
        services.AddSingleton<GitHttpBackend>();
        services.AddSingleton<GitPushService>();
        return services;
    }
}
