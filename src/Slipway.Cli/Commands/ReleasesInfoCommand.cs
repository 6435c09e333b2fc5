using System.CommandLine;
using System.Globalization;
using Slipway.Cli.Api;
using Slipway.Cli.Output;
using Slipway.Contracts;

namespace Slipway.Cli.Commands;

/// <summary>
/// <c>aka releases:info [vN] -a APP [--json]</c>: one release in full, and the statuses outside
/// checks posted on it; by default the current one (the newest that did not fail; else the newest).
/// </summary>
public sealed class ReleasesInfoCommand : AkaCommand
{
    private readonly Argument<string?> _release = new("release") { Arity = ArgumentArity.ZeroOrOne, Description = "The release: vN, N or its id (default: the current one)" };
    private readonly Option<string> _app = CommonOptions.App();
    private readonly Option<bool> _json = CommonOptions.Json();

    public ReleasesInfoCommand(CliContext context, CliOutput output)
        : base("releases:info", "Show one release", context, output)
    {
        Arguments.Add(_release);
        Options.Add(_app);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        using var api = Connect();
        var result = await FindAsync(api, app, parseResult.GetValue(_release), ct);
        if (parseResult.GetValue(_json))
        {
            Output.Json(result.Json);
            return 0;
        }

        var release = result.Value;
        Output.Heading(string.Create(CultureInfo.InvariantCulture, $"{release.App.Name} Release v{release.Version}"));
        Output.Fields(
            ("By", release.User.Email),
            ("Change", release.Description),
            ("When", TimeText.Iso(release.CreatedAt)),
            ("Status", release.Status),
            ("Current", release.Current ? "yes" : "no"),
            ("Slug", release.Slug?.Id.ToString() ?? "none"),
            ("Config vars", release.ConfigVarNames.Count == 0 ? "none" : string.Join(", ", release.ConfigVarNames)),
            ("Add-ons", release.Addons is { Count: > 0 } addons ? string.Join(", ", addons.Select(a => a.ConfigVarNames.Count == 0 ? $"{a.Name} ({a.Plan})" : $"{a.Name} ({a.Plan}) as {string.Join(", ", a.ConfigVarNames)}")) : null),
            ("Rollback", release.Current ? $"v{release.Version.ToString(CultureInfo.InvariantCulture)} is the current release." : release.EligibleForRollback ? "eligible" : release.IneligibleReason ?? "not eligible"),
            ("Failure", release.FailureReason));

        var statuses = (await api.ListReleaseStatusesAsync(release.App.Name, release.Id.ToString(), ct)).Value;
        if (statuses.Statuses.Count > 0)
        {
            Output.Line();
            Output.Heading(string.Create(CultureInfo.InvariantCulture, $"v{release.Version} Statuses: {statuses.State}"));
            Output.Rows(statuses.Statuses.Select(s => (IReadOnlyList<string>)[s.Context, s.State, s.Name ?? "", s.Description ?? "", s.TargetUrl ?? ""]));
        }

        return 0;
    }

    /// <summary>The release <paramref name="reference"/> names, else the current one (the last of the page the API answers without a <c>Range</c>).</summary>
    internal static async Task<ApiResult<ReleaseResponse>> FindAsync(SlipwayApi api, string app, string? reference, CancellationToken ct)
    {
        if (reference is not null)
        {
            return await api.GetReleaseAsync(app, reference, ct);
        }

        // Without a Range the API's page ends with the current release.
        var page = (await api.ListReleasesToCurrentAsync(app, ct)).Value;
        return page.Count == 0
            ? throw new CliException($"{(await api.GetAppAsync(app, ct)).Value.Name} has no releases yet.")
            : await api.GetReleaseAsync(app, page[^1].Id.ToString(), ct);
    }
}
