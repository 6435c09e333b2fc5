using Microsoft.AspNetCore.Http.HttpResults;
using Slipway.Contracts;
using Slipway.Server.Apps;
using Slipway.Server.Http;

namespace Slipway.Server.Accounts;

/// <summary>
/// Akkeris's <c>/organizations</c>, which <c>aka apps:create</c> and <c>aka orgs</c> read: this server
/// has one organization, <c>default</c> (<see cref="Platform.Organization"/>), and every app is in it.
/// </summary>
public static class OrganizationsApi
{
    public static IEndpointRouteBuilder MapOrganizationsApi(this IEndpointRouteBuilder routes)
    {
        var organizations = routes.MapGroup("/organizations");
        organizations.MapGet("/", List);
        organizations.MapGet("/{organization}", Get);
        return routes;
    }

    private static Ok<List<OrganizationResponse>> List() => TypedResults.Ok<List<OrganizationResponse>>([Default]);

    private static Results<Ok<OrganizationResponse>, ProblemHttpResult> Get(string organization) =>
        Platform.IsOrganization(organization)
            ? TypedResults.Ok(Default)
            : ApiProblem.NotFound($"Organization '{organization}' not found: this server has one organization, '{Platform.DefaultOrganization}'.");

    private static OrganizationResponse Default => new(Platform.Organization.Id, Platform.Organization.Name, "Every app of this Slipway server.");
}
