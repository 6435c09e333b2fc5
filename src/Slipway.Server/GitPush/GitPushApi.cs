using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Slipway.Server.Accounts;
using Slipway.Server.Apps;
using Slipway.Server.AutoDeploy;
using Slipway.Server.Http;
using Slipway.Server.Runtime;

namespace Slipway.Server.GitPush;

/// <summary>
/// <c>/git/{app}.git</c>: every app is a git remote over git's smart HTTP protocol, on the API's
/// own address (the <c>git_url</c> of the app). The caller authenticates like any API call, with
/// HTTP Basic and an API token as the password (the <c>~/.netrc</c> entry of <c>aka login</c>);
/// an app the caller may not see answers 404 before git reads anything. The pre-receive route is
/// the push hook's call back, authenticated by the push's own key instead.
/// </summary>
public static class GitPushApi
{
    private const string Repository = AppMapping.GitPath + "/{app}.git";

    public static IEndpointRouteBuilder MapGitPushApi(this IEndpointRouteBuilder routes)
    {
        // git's bodies are packs, not JSON: the backend sets the limit of a push itself (Slipway:Git:MaxPushBytes).
        var git = routes.MapGroup(Repository).ExcludeFromDescription().WithMetadata(new BodyLimit(null));
        git.MapGet("/info/refs", Advertise);
        git.MapPost("/git-upload-pack", (string app, HttpContext http, Access access, GitHttpBackend backend, CancellationToken ct) =>
            ServeAsync(app, "git-upload-pack", http, access, backend, ct));
        git.MapPost("/git-receive-pack", Receive);
        git.MapPost("/slipway/pre-receive", PreReceive).AllowAnonymous();
        return routes;
    }

    private static async Task<IResult> Advertise(string app, string? service, HttpContext http, Access access, GitHttpBackend backend, CancellationToken ct)
    {
        if (service is not ("git-upload-pack" or "git-receive-pack"))
        {
            // The dumb protocol is not served: git clients all speak the smart one.
            return ApiProblem.BadRequest("Ask with ?service=git-upload-pack or ?service=git-receive-pack (git's smart HTTP protocol).");
        }

        return await ServeAsync(app, "info/refs", http, access, backend, ct);
    }

    private static async Task<IResult> ServeAsync(string app, string service, HttpContext http, Access access, GitHttpBackend backend, CancellationToken ct)
    {
        var caller = Caller.Of(http.User);
        if (await access.FindAppAsync(caller, app, ct) is not { } found)
        {
            return ApiProblem.Of(AppService.NotFound(app));
        }

        await http.RequestServices.GetRequiredService<AppRepositories>().EnsureAsync(found.Id, ct);
        await backend.ServeAsync(http, found.Id, service, http.User.Identity?.Name ?? caller.UserId.ToString(), null, []);
        return Results.Empty;
    }

    /// <summary>A push: received in the app's lane, with a session its hook calls back with, and git left to finish once it has the pack.</summary>
    private static async Task<IResult> Receive(
        string app,
        HttpContext http,
        Access access,
        AppRepositories repositories,
        GitHttpBackend backend,
        GitPushService pushes,
        AppMapping mapping,
        IAppRuntime runtime,
        IOptions<GitOptions> options,
        CancellationToken ct)
    {
        var caller = Caller.Of(http.User);
        if (await access.FindAppAsync(caller, app, ct) is not { } found)
        {
            return ApiProblem.Of(AppService.NotFound(app));
        }

        var repository = await repositories.EnsureAsync(found.Id, ct);
        using var turn = await pushes.EnterLaneAsync(found.Id, ct);
        var session = pushes.Open(found.Id, found.Key, caller.UserId, repository, mapping.GitUrlOf(found, http.Request), runtime.WebUrlOf(found.Key));
        try
        {
            Dictionary<string, string> hook = new(StringComparer.Ordinal)
            {
                ["SLIPWAY_PUSH_KEY"] = session.Key,
                ["SLIPWAY_PUSH_URL"] = $"{SelfAddress(http)}{AppMapping.GitPath}/{Uri.EscapeDataString(found.Key)}.git/slipway/pre-receive",
            };
            await backend.ServeAsync(http, found.Id, "git-receive-pack", http.User.Identity?.Name ?? caller.UserId.ToString(), options.Value.MaxPushBytes + PackSlack, hook);
        }
        finally
        {
            pushes.Close(session);
        }

        return Results.Empty;
    }

    /// <summary>What a push's body holds beyond its pack: the ref update commands and capabilities.</summary>
    private const long PackSlack = 1024 * 1024;

    /// <summary>The push hook's call: the pushed refs in, what the pusher is told out, and last the verdict line (the key, then <c>accepted</c>).</summary>
    private static async Task PreReceive(string app, HttpContext http, GitPushService pushes, IHostApplicationLifetime lifetime)
    {
        if (pushes.Find(http.Request.Headers["X-Slipway-Push"], app) is not { } session)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            await http.Response.WriteAsync("! No push is being received here.\n");
            return;
        }

        var input = new List<string>();
        using (var reader = new StreamReader(http.Request.Body, Encoding.UTF8))
        {
            while (await reader.ReadLineAsync(http.RequestAborted) is { } line && input.Count < 10_000)
            {
                input.Add(line);
            }
        }

        http.Response.ContentType = "text/plain; charset=utf-8";
        http.Response.Headers.CacheControl = "no-cache";
        await http.Response.StartAsync();
        var connected = true;
        async Task SayAsync(string line)
        {
            if (!connected)
            {
                return;
            }

            try
            {
                await http.Response.WriteAsync(line + "\n");
                await http.Response.Body.FlushAsync();
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The pusher went away: the build goes on, its output stays at the build's URL.
                connected = false;
            }
        }

        // Not the request's token: a pusher who goes away does not stop a build that started.
        if (await pushes.ReceiveAsync(session, input, SayAsync, lifetime.ApplicationStopping))
        {
            await SayAsync($"{session.Key} accepted");
        }
    }

    /// <summary>This server as the hook reaches it: the address and port the request came in on.</summary>
    private static string SelfAddress(HttpContext http)
    {
        var local = http.Connection.LocalIpAddress ?? IPAddress.Loopback;
        if (local.IsIPv4MappedToIPv6)
        {
            local = local.MapToIPv4();
        }

        var host = local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{local}]" : local.ToString();
        return $"{http.Request.Scheme}://{host}:{http.Connection.LocalPort}";
    }
}
