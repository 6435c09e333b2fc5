using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Slipway.Contracts;
using Slipway.Server.Addons.BuiltIn;
using Slipway.Server.Data;
using Slipway.Server.Http;

namespace Slipway.Server.Addons;

/// <summary>A service found in a broker's catalog.</summary>
public sealed record OfferedService(Broker Broker, OsbService Service);

/// <summary>
/// Every broker Slipway knows: the built-in ones, those in <c>Slipway:Addons:Brokers</c>, and
/// those an admin added through the API; and the services their catalogs offer. When two
/// brokers offer a service of the same name, the one listed first wins (built-in, configured, added).
/// </summary>
public sealed class BrokerRegistry(SlipwayDb db, BuiltInBrokers builtIns, IOptions<AddonOptions> options, CatalogCache catalogs, OsbClient osb, TimeProvider clock)
{
    public async Task<List<Broker>> AllAsync(CancellationToken ct)
    {
        var brokers = builtIns.All.Select(builtIns.AsBroker).ToList();
        brokers.AddRange(options.Value.Brokers.OrderBy(b => b.Key, StringComparer.Ordinal)
            .Select(b => new Broker(b.Key, b.Value.Url!, b.Value.Username, b.Value.Password, BrokerSource.Configuration)));
        var added = await db.AddonBrokers.AsNoTracking().OrderBy(b => b.Name).ToListAsync(ct);
        brokers.AddRange(added.Select(b => new Broker(b.Name, new Uri(b.Url), b.Username, b.Password, BrokerSource.Api)));
        return brokers;
    }

    public async Task<Broker?> FindAsync(string name, CancellationToken ct) =>
        (await AllAsync(ct)).FirstOrDefault(b => b.Name == name);

    public Task<OsbCatalog> CatalogAsync(Broker broker, CancellationToken ct) => catalogs.GetAsync(broker, osb, ct);

    public (DateTimeOffset? FetchedAt, string? Error) CatalogStatus(Broker broker) => catalogs.StatusOf(broker);

    /// <summary>The services of every available broker that answers; brokers that do not are left out.</summary>
    public async Task<List<(Broker Broker, OsbService Service)>> ServicesAsync(CancellationToken ct)
    {
        var services = new List<(Broker, OsbService)>();
        foreach (var broker in (await AllAsync(ct)).Where(b => b.UnavailableReason is null))
        {
            OsbCatalog catalog;
            try
            {
                catalog = await CatalogAsync(broker, ct);
            }
            catch (BrokerException)
            {
                continue;
            }

            services.AddRange(catalog.Services!
                .Where(s => !services.Any(known => known.Item2.Name == s.Name))
                .Select(s => (broker, s)));
        }

        return services;
    }

    /// <summary>
    /// Finds a service by name. A built-in service that is not configured answers 422 saying
    /// what is missing; a name no answering broker offers answers 404, and names the brokers
    /// that could not be asked.
    /// </summary>
    public async Task<Answer<OfferedService>> FindServiceAsync(string name, CancellationToken ct)
    {
        var unreachable = new List<BrokerException>();
        foreach (var broker in await AllAsync(ct))
        {
            if (broker.UnavailableReason is { } reason)
            {
                if (builtIns.Find(broker.Name)?.Service.Name == name)
                {
                    return new Refusal(StatusCodes.Status422UnprocessableEntity, "addon_service_unavailable", $"The {name} add-on service is not available: {reason}");
                }

                continue;
            }

            try
            {
                if ((await CatalogAsync(broker, ct)).Services!.FirstOrDefault(s => s.Name == name) is { } service)
                {
                    return new OfferedService(broker, service);
                }
            }
            catch (BrokerException e)
            {
                unreachable.Add(e);
            }
        }

        return unreachable.Count == 0
            ? Refusal.NotFound($"Add-on service '{name}' not found (aka addons:services lists them).")
            : new Refusal(
                unreachable[0].ApiStatus == StatusCodes.Status504GatewayTimeout ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway,
                unreachable[0].ApiId,
                $"Add-on service '{name}' was not found, and not every broker could be asked: {string.Join(" ", unreachable.Select(e => e.Message))}");
    }

    /// <summary>Adds a broker at run time (admins); only once its catalog could be fetched with the given credentials.</summary>
    public async Task<Answer<Broker>> AddAsync(CreateAddonBrokerRequest request, CancellationToken ct)
    {
        var name = request.Name?.Trim();
        if (BrokerNames.Problem(name) is { } problem)
        {
            return Refusal.Invalid($"Broker name {problem}", nameof(request.Name));
        }

        if (!Uri.TryCreate(request.Url?.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            return Refusal.Invalid("'url' must be an absolute http(s) URL: where the broker's /v2/catalog is found.", nameof(request.Url));
        }

        if (string.IsNullOrEmpty(request.Username) != string.IsNullOrEmpty(request.Password))
        {
            return Refusal.Invalid("Give both 'username' and 'password' for basic auth, or neither.");
        }

        if (await FindAsync(name!, ct) is not null || BuiltInBrokers.IsBuiltInName(name!))
        {
            return Refusal.Conflict($"A broker named {name} already exists.", nameof(request.Name));
        }

        var username = string.IsNullOrEmpty(request.Username) ? null : request.Username;
        var candidate = new Broker(name!, url, username, username is null ? null : request.Password, BrokerSource.Api);
        try
        {
            await CatalogAsync(candidate, ct);
        }
        catch (BrokerException e)
        {
            return e.ToRefusal($"The broker was not added: {e.Message}");
        }

        db.AddonBrokers.Add(AddonBroker.Create(name!, url, username, candidate.Password, clock.GetUtcNow()));
        if (!await db.TrySaveUniqueAsync(ct))
        {
            return Refusal.Conflict($"A broker named {name} already exists.", nameof(request.Name));
        }

        return candidate;
    }

    /// <summary>Removes a broker added at run time, once it holds no add-on; answers it as it was.</summary>
    public async Task<Answer<Broker>> RemoveAsync(string name, CancellationToken ct)
    {
        var found = await FindAsync(name, ct);
        if (found is null)
        {
            return Refusal.NotFound($"Broker '{name}' not found.");
        }

        if (found.Source != BrokerSource.Api)
        {
            return Refusal.Invalid(found.Source == BrokerSource.BuiltIn
                ? $"{name} is a built-in broker and cannot be removed."
                : $"{name} comes from the configuration ({AddonOptions.Section}:Brokers:{name}); remove it there.");
        }

        var inUse = await db.Addons.Where(a => a.BrokerName == name).Select(a => a.Name).Take(5).ToListAsync(ct);
        if (inUse.Count > 0)
        {
            return Refusal.Conflict($"{name} still holds add-ons ({string.Join(", ", inUse)}); destroy them first.");
        }

        await db.AddonBrokers.Where(b => b.Name == name).ExecuteDeleteAsync(ct);
        catalogs.Forget(name);
        return found;
    }
}
