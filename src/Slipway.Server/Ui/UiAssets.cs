using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace Slipway.Server.Ui;

/// <summary>
/// The dashboard's own CSS, script and icons, embedded in the server so that it works offline
/// and wherever the binary is started from. URLs carry a content hash (<see cref="Url"/>), so a
/// browser may keep a file for good and still sees a new one after an upgrade.
/// </summary>
public sealed class UiAssets
{
    private const string ResourcePrefix = "ui-assets/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary();

    private readonly FrozenDictionary<string, Asset> _assets;

    public UiAssets()
    {
        var assembly = typeof(UiAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            var name = resource[ResourcePrefix.Length..];
            var hash = Convert.ToHexStringLower(SHA256.HashData(bytes))[..12];
            assets[name] = new Asset(bytes, ContentTypes.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream"), hash);
        }

        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The versioned URL of an embedded asset; throws for a name that is not embedded, so a typo fails the first render.</summary>
    public string Url(string name) => _assets.TryGetValue(name, out var asset)
        ? $"{UiRoutes.Assets}/{name}?v={asset.Hash}"
        : throw new ArgumentException($"No dashboard asset is named '{name}'.", nameof(name));

    public IEndpointConventionBuilder Map(IEndpointRouteBuilder routes) =>
        routes.MapGet(UiRoutes.Assets + "/{name}", Serve).AllowAnonymous().ExcludeFromDescription();

    private IResult Serve(string name, string? v, HttpContext http)
    {
        if (!_assets.TryGetValue(name, out var asset))
        {
            return Results.NotFound();
        }

        var etag = new EntityTagHeaderValue($"\"{asset.Hash}\"");
        http.Response.Headers.ETag = etag.ToString();
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.CacheControl = v == asset.Hash ? "public, max-age=31536000, immutable" : "no-cache";
        return http.Request.Headers.IfNoneMatch == etag.ToString()
            ? Results.StatusCode(StatusCodes.Status304NotModified)
            : Results.Bytes(asset.Bytes, asset.ContentType);
    }

    private sealed record Asset(byte[] Bytes, string ContentType, string Hash);
}
