using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Slipway.Server.Addons;

/// <summary>
/// Brokers' catalogs, fetched on first use and again once older than <see cref="AddonOptions.CatalogTtl"/>.
/// When a refresh fails, the last good catalog is still served and the error is kept for the
/// broker listing; with no good catalog at all, the failure is the caller's.
/// </summary>
public sealed class CatalogCache(TimeProvider clock, IOptions<AddonOptions> options)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public async Task<OsbCatalog> GetAsync(Broker broker, OsbClient osb, CancellationToken ct)
    {
        var key = KeyOf(broker);
        var now = clock.GetUtcNow();
        _entries.TryGetValue(key, out var entry);
        if (entry?.Catalog is { } fresh && now - entry.FetchedAt < options.Value.CatalogTtl)
        {
            return fresh;
        }

        try
        {
            var catalog = await osb.CatalogAsync(broker, ct);
            _entries[key] = new Entry(catalog, clock.GetUtcNow(), null);
            return catalog;
        }
        catch (BrokerException e)
        {
            _entries[key] = new Entry(entry?.Catalog, entry?.FetchedAt ?? now, e.Message);
            if (entry?.Catalog is { } stale)
            {
                return stale;
            }

            throw;
        }
    }

    /// <summary>When the catalog was last fetched and the last refresh's error, for the broker listing.</summary>
    public (DateTimeOffset? FetchedAt, string? Error) StatusOf(Broker broker) =>
        _entries.TryGetValue(KeyOf(broker), out var entry)
            ? (entry.Catalog is null ? null : entry.FetchedAt, entry.Error)
            : (null, null);

    public void Forget(string brokerName)
    {
        foreach (var key in _entries.Keys.Where(k => k.StartsWith(brokerName + "\n", StringComparison.Ordinal)))
        {
            _entries.TryRemove(key, out _);
        }
    }

    /// <summary>A broker re-registered at another address or with other credentials starts afresh.</summary>
    private static string KeyOf(Broker broker) =>
        $"{broker.Name}\n{broker.Url}\n{broker.Username}\n{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(broker.Password ?? "")))}";

    private sealed record Entry(OsbCatalog? Catalog, DateTimeOffset FetchedAt, string? Error);
}
