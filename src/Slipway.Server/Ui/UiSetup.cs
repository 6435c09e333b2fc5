using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

namespace Slipway.Server.Ui;

/// <summary>
/// The web dashboard: server-rendered Razor Pages under <c>/ui</c>, a cookie sign-in next to
/// the API's Bearer scheme, live updates over server-sent events, and the API reference.
/// </summary>
public static class UiSetup
{
    /// <summary>Under the data folder: the keys that protect the sign-in and antiforgery cookies.</summary>
    public const string KeysFolder = "ui-keys";

    public const string AntiforgeryCookieName = "slipway_csrf";

    /// <summary>The hidden form field that carries the antiforgery token.</summary>
    public const string AntiforgeryFieldName = "__csrf";

    public static IServiceCollection AddSlipwayUi(this IServiceCollection services)
    {
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Ui/Pages";
            o.Conventions.AuthorizeFolder("/", UiAuthentication.Policy);
            o.Conventions.AllowAnonymousToPage("/SignIn");
            o.Conventions.ConfigureFilter(new UiSecurityHeaders());
        })
        .ConfigureApplicationPartManager(parts =>
        {
            // Pages are found in the entry assembly by default, which is not this one when a
            // test host starts the server.
            var assembly = typeof(UiSetup).Assembly;
            if (!parts.ApplicationParts.OfType<AssemblyPart>().Any(p => p.Assembly == assembly))
            {
                foreach (var part in ApplicationPartFactory.GetApplicationPartFactory(assembly).GetApplicationParts(assembly))
                {
                    parts.ApplicationParts.Add(part);
                }
            }
        });

        services.AddAuthentication().AddUiCookie();
        services.AddScoped<UiCookieEvents>();
        services.AddAuthorizationBuilder()
            .AddPolicy(UiAuthentication.Policy, p => p.AddAuthenticationSchemes(UiAuthentication.Scheme).RequireAuthenticatedUser());

        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = AntiforgeryCookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.Path = UiRoutes.Root;
            o.FormFieldName = AntiforgeryFieldName;
        });

        // Keys live in the data folder, so a restart does not sign everyone out.
        services.AddDataProtection().SetApplicationName("Slipway");
        services.AddOptions<KeyManagementOptions>()
            .Configure<IOptions<SlipwayOptions>, ILoggerFactory>((keys, slipway, loggers) =>
            {
                var folder = Path.Combine(slipway.Value.FullDataDir, KeysFolder);
                Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                keys.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(folder), loggers);
            });

        services.AddSingleton<UiAssets>();
        return services;
    }

    public static WebApplication MapSlipwayUi(this WebApplication app)
    {
        app.MapGet("/", () => TypedResults.Redirect(UiRoutes.Apps)).AllowAnonymous().ExcludeFromDescription();
        app.MapGet(UiRoutes.Root, () => TypedResults.Redirect(UiRoutes.Apps)).AllowAnonymous().ExcludeFromDescription();
        app.Services.GetRequiredService<UiAssets>().Map(app);
        app.MapLiveUpdates();
        app.MapLiveLogs();
        app.MapRazorPages();

        // Scalar serves its script from the package itself; the reference must not reach out
        // for fonts, telemetry or an AI agent, so that it works on a machine with no internet.
        app.MapScalarApiReference(UiRoutes.ApiReference, o => o
                .WithTitle("Slipway API reference")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json")
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp()
                .HideDeveloperTools())
            .AllowAnonymous();
        return app;
    }
}
