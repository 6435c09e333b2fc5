using Microsoft.AspNetCore.Http.HttpResults;
using Slipway.Contracts;
using Slipway.Server.Accounts;
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

    private static async Task<Results<Created<AddonBrokerResponse>, ProblemHttpResult>> Create(CreateAddonBrokerRequest request, BrokerRegistry registry, CancellationToken ct)
    {
        var added = await registry.AddAsync(request, ct);
        return added.Refused
            ? ApiProblem.Of(added.Refusal)
            : TypedResults.Created($"/addon-brokers/{added.Value.Name}", await DescribeAsync(registry, added.Value, ct));
    }

    /// <summary>Removes a broker; the answer describes it as it was, before its catalog is forgotten.</summary>
    private static async Task<Results<Ok<AddonBrokerResponse>, ProblemHttpResult>> Delete(string broker, BrokerRegistry registry, CancellationToken ct)
    {
        if (await registry.FindAsync(broker, ct) is not { } found)
        {
            return ApiProblem.NotFound($"Broker '{broker}' not found.");
        }

        var response = await DescribeAsync(registry, found, ct);
        var removed = await registry.RemoveAsync(broker, ct);
        return removed.Refused ? ApiProblem.Of(removed.Refusal) : TypedResults.Ok(response);
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
