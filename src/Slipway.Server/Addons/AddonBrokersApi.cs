using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Slipway.Contracts;
using Slipway.Server.Accounts;
using Slipway.Server.Addons.BuiltIn;
using Slipway.Server.Data;
using Slipway.Server.Http;

namespace Slipway.Server.Addons;

/// <summary>
/// <c>/addon-brokers</c> (admins only): the brokers Slipway knows and whether each works, and
/// adding or removing brokers at run time. A broker is added only once its catalog could be
/// fetched with the given credentials; passwords are never shown.
/// </summary>
public static class AddonBrokersApi
{
    public static IEndpointRouteBuilder MapAddonBrokersApi(this IEndpointRouteBuilder routes)
    {
        var brokers = routes.MapGroup("/addon-brokers").RequireAuthorization(Policies.Admin);
        brokers.MapGet("/", List);
        brokers.MapPost("/", Create);
        brokers.MapDelete("/{broker}", Delete);
        return routes;
    }

    private static async Task<Ok<List<AddonBrokerResponse>>> List(BrokerRegistry registry, CancellationToken ct)
    {
        var brokers = await registry.AllAsync(ct);
        var responses = new List<AddonBrokerResponse>();
        foreach (var broker in brokers)
        {
            responses.Add(await DescribeAsync(registry, broker, ct));
        }

        return TypedResults.Ok(responses);
    }

    private static async Task<Results<Created<AddonBrokerResponse>, ProblemHttpResult>> Create(
        CreateAddonBrokerRequest request, BrokerRegistry registry, SlipwayDb db, TimeProvider clock, CancellationToken ct)
    {
        var name = request.Name?.Trim();
        if (BrokerNames.Problem(name) is { } problem)
        {
            return ApiProblem.Invalid($"Broker name {problem}");
        }

        if (!Uri.TryCreate(request.Url?.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            return ApiProblem.Invalid("'url' must be an absolute http(s) URL: where the broker's /v2/catalog is found.");
        }

        if (string.IsNullOrEmpty(request.Username) != string.IsNullOrEmpty(request.Password))
        {
            return ApiProblem.Invalid("Give both 'username' and 'password' for basic auth, or neither.");
        }

        if (await registry.FindAsync(name!, ct) is not null || BuiltInBrokers.IsBuiltInName(name!))
        {
            return ApiProblem.Conflict($"A broker named {name} already exists.");
        }

        var username = string.IsNullOrEmpty(request.Username) ? null : request.Username;
        var candidate = new Broker(name!, url, username, username is null ? null : request.Password, BrokerSource.Api);
        try
        {
            await registry.CatalogAsync(candidate, ct);
        }
        catch (BrokerException e)
        {
            return ApiProblem.Of(e.ToRefusal($"The broker was not added: {e.Message}"));
        }

        db.AddonBrokers.Add(AddonBroker.Create(name!, url, username, candidate.Password, clock.GetUtcNow()));
        if (!await db.TrySaveUniqueAsync(ct))
        {
            return ApiProblem.Conflict($"A broker named {name} already exists.");
        }

        return TypedResults.Created($"/addon-brokers/{name}", await DescribeAsync(registry, candidate, ct));
    }

    private static async Task<Results<Ok<AddonBrokerResponse>, ProblemHttpResult>> Delete(
        string broker, BrokerRegistry registry, CatalogCache catalogs, SlipwayDb db, CancellationToken ct)
    {
        var found = await registry.FindAsync(broker, ct);
        if (found is null)
        {
            return ApiProblem.NotFound($"Broker '{broker}' not found.");
        }

        if (found.Source != BrokerSource.Api)
        {
            return ApiProblem.Invalid(found.Source == BrokerSource.BuiltIn
                ? $"{broker} is a built-in broker and cannot be removed."
                : $"{broker} comes from the configuration ({AddonOptions.Section}:Brokers:{broker}); remove it there.");
        }

        var inUse = await db.Addons.Where(a => a.BrokerName == broker).Select(a => a.Name).Take(5).ToListAsync(ct);
        if (inUse.Count > 0)
        {
            return ApiProblem.Conflict($"{broker} still holds add-ons ({string.Join(", ", inUse)}); destroy them first.");
        }

        var response = await DescribeAsync(registry, found, ct);
        await db.AddonBrokers.Where(b => b.Name == broker).ExecuteDeleteAsync(ct);
        catalogs.Forget(broker);
        return TypedResults.Ok(response);
    }

    private static async Task<AddonBrokerResponse> DescribeAsync(BrokerRegistry registry, Broker broker, CancellationToken ct)
    {
        IReadOnlyList<string> services = [];
        if (broker.UnavailableReason is null)
        {
            try
            {
                services = [.. (await registry.CatalogAsync(broker, ct)).Services!.Select(s => s.Name)];
            }
            catch (BrokerException)
            {
                // The listing says why, from the cache's record of the failure.
            }
        }

        var (fetchedAt, error) = registry.CatalogStatus(broker);
        return new AddonBrokerResponse(
            broker.Name,
            broker.Url.ToString(),
            broker.Username,
            broker.Source switch { BrokerSource.BuiltIn => "built_in", BrokerSource.Configuration => "configuration", _ => "api" },
            broker.UnavailableReason is null,
            broker.UnavailableReason,
            services,
            error,
            fetchedAt);
    }
}
