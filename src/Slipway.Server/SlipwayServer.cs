using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Addons;
using Slipway.Server.Apps;
using Slipway.Server.AutoDeploy;
using Slipway.Server.Builds;
using Slipway.Server.Collector;
using Slipway.Server.Config;
using Slipway.Server.Data;
using Slipway.Server.Features;
using Slipway.Server.GitPush;
using Slipway.Server.Hooks;
using Slipway.Server.Http;
using Slipway.Server.Pipelines;
using Slipway.Server.Releases;
using Slipway.Server.Runtime;
using Slipway.Server.Slugs;
using Slipway.Server.Spaces;
using Slipway.Server.Ui;
using Slipway.Server.Unpacking;

namespace Slipway.Server;

/// <summary>
/// Builds the one Slipway server process: the API and the web UI (and later the background engines).
/// <c>Program</c> and the tests both start it through <see cref="BuildAsync"/>.
/// </summary>
public static class SlipwayServer
{
    public const string DefaultUrl = "http://127.0.0.1:5000";

    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // appsettings.json sits next to the binary, wherever the server is started from.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddSlipway(builder.Configuration);
        configure?.Invoke(builder);

        var app = builder.Build();
        await app.Services.InitializeSlipwayAsync(app.Lifetime.ApplicationStopping);
        app.MapSlipway();
        return app;
    }

    public static IServiceCollection AddSlipway(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SlipwayOptions>()
            .Bind(configuration.GetSection(SlipwayOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.Slugs.Kind != "s3" || !string.IsNullOrWhiteSpace(o.Slugs.S3.Bucket), "Slipway:Slugs:S3:Bucket is required when Slipway:Slugs:Kind is 's3'.")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<SlipwayOptions>, ArchiveOptionsValidation>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ProcessIsolation>();
        services.AddHostedService(sp => sp.GetRequiredService<ProcessIsolation>());
        services.AddSingleton<ProcessRegistry>();
        services.AddSingleton<ProcessLauncher>();
        services.AddSlipwayData(configuration);

        services.ConfigureHttpJsonOptions(o => SlipwayJson.Configure(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ApiProblem.Complete);
        services.AddExceptionHandler<BadRequestHandler>();
        services.AddOpenApi();

        services.AddAuthentication(BearerAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthentication>(BearerAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.Admin, p => p.RequireRole(BearerAuthentication.AdminRole));

        services.AddScoped<Access>();
        services.AddScoped<AdminBootstrap>();
        services.AddScoped<AccountService>();
        services.AddScoped<SpaceService>();
        services.AddScoped<AppService>();
        services.AddScoped<FavoriteService>();
        services.AddSingleton<Platform>();
        services.AddSingleton<AppMapping>();
        services.AddScoped<ReleaseService>();
        services.AddScoped<ReleaseStatusService>();
        services.AddScoped<PipelineService>();
        services.AddScoped<PromotionService>();
        services.AddScoped<FeatureService>();
        services.AddScoped<ConfigService>();
        services.AddSingleton<WriteGate>();
        services.AddSingleton<ServerIdentity>();
        services.AddSingleton<Leases>();
        services.AddHostedService<ServerHeartbeat>();
        services.AddSlugStore(configuration);
        services.AddSlipwayAddons(configuration);
        services.AddSlipwayRuntime(configuration);
        services.AddBuilds(configuration);
        services.AddAutoDeploy(configuration);
        services.AddGitPush();
        services.AddCollector(configuration);
        services.AddHooks(configuration);
        services.AddSlipwayUi();
        return services;
    }

    /// <summary>Creates the data folder, migrates the database and makes sure an admin exists.</summary>
    public static async Task InitializeSlipwayAsync(this IServiceProvider services, CancellationToken ct)
    {
        var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SlipwayOptions>>().Value;
        Directory.CreateDirectory(options.FullDataDir);
        await using var scope = services.CreateAsyncScope();
        await DataSetup.MigrateAsync(scope.ServiceProvider.GetRequiredService<SlipwayDb>(), ct);
        await scope.ServiceProvider.GetRequiredService<AdminBootstrap>().EnsureAdminAsync(ct);
    }

    public static WebApplication MapSlipway(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseBodyLimits();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapGet("/health", () => TypedResults.Ok(new HealthResponse("ok", typeof(SlipwayServer).Assembly.GetName().Version?.ToString() ?? "0")))
            .AllowAnonymous();
        app.MapOpenApi().AllowAnonymous();
        app.MapAccountsApi();
        app.MapOrganizationsApi();
        app.MapSpacesApi();
        app.MapFavoritesApi();

        // Every route under /apps/{app} is mapped in this one group, whose filter finds the app
        // the caller may see (or answers 404) before any handler runs.
        var appRoutes = app.MapAppGroup();
        app.MapAppsApi(appRoutes);
        appRoutes.MapConfigApi();
        app.MapSlugsApi(appRoutes);
        appRoutes.MapReleasesApi();
        appRoutes.MapFeaturesApi();
        app.MapAddons(appRoutes);
        app.MapRuntimeApi(appRoutes);
        app.MapBuilds(appRoutes);
        app.MapAutoDeploy(appRoutes);
        app.MapGitPushApi();
        app.MapPipelinesApi(appRoutes);
        appRoutes.MapHooksApi();
        app.MapSlipwayUi();
        return app;
    }
}
