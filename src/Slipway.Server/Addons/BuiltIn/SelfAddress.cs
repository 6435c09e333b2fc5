using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Slipway.Server.Addons.BuiltIn;

/// <summary>Where this server can call itself: <c>Slipway:Addons:SelfUrl</c>, or the first address it listens on.</summary>
public sealed class SelfAddress(IServer server, IOptions<AddonOptions> options)
{
    public Uri BaseUrl
    {
        get
        {
            if (options.Value.SelfUrl is { } configured)
            {
                return configured;
            }

            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? addresses.FirstOrDefault()
                ?? throw new InvalidOperationException("The server is not listening yet, so the built-in brokers have no address; set Slipway:Addons:SelfUrl.");

            // Kestrel reports wildcards as written ("http://+:5000", "http://[::]:5000"); those are not addresses to call.
            var builder = new UriBuilder(address.Replace("://+", "://wildcard", StringComparison.Ordinal).Replace("://*", "://wildcard", StringComparison.Ordinal));
            builder.Host = builder.Host switch
            {
                "wildcard" or "0.0.0.0" => "127.0.0.1",
                "[::]" or "::" => "[::1]",
                _ => builder.Host,
            };
            builder.Path = "/";
            return builder.Uri;
        }
    }
}
