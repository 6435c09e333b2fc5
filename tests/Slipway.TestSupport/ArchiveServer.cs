using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Slipway.TestSupport;

/// <summary>
/// A small real HTTP server on 127.0.0.1 that serves source archives to builds: bytes at a URL,
/// a redirect, or an error status. Each call answers a fresh URL, so tests never collide. A test
/// class shares one as a class fixture.
/// </summary>
public sealed class ArchiveServer : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _routes = new(StringComparer.Ordinal);
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>How many requests each path received.</summary>
    public ConcurrentDictionary<string, int> Hits { get; } = new(StringComparer.Ordinal);

    public static async Task<ArchiveServer> StartAsync()
    {
        var server = new ArchiveServer();
        await server.InitializeAsync();
        return server;
    }

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync();
        _app = app;
        BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    /// <summary>Serves <paramref name="bytes"/> at a new URL ending in <paramref name="name"/>.</summary>
    public string Serve(byte[] bytes, string name = "source.tar.gz") => Route(name, async context =>
    {
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes);
    });

    /// <summary>A URL that answers 302 to <paramref name="target"/>.</summary>
    public string Redirect(string target) => Route("redirect", context =>
    {
        context.Response.Redirect(target);
        return Task.CompletedTask;
    });

    /// <summary>A URL that answers <paramref name="status"/> with no archive.</summary>
    public string Status(int status) => Route("status", context =>
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    });

    public string Route(string name, Func<HttpContext, Task> handler)
    {
        var path = $"/{Guid.NewGuid():N}/{name}";
        _routes[path] = handler;
        return new Uri(BaseAddress, path).ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        Hits.AddOrUpdate(path, 1, (_, n) => n + 1);
        if (_routes.TryGetValue(path, out var handler))
        {
            return handler(context);
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }
}
