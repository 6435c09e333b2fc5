using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Slipway.Cli.Output;
using Slipway.Contracts;

namespace Slipway.Cli.Commands;

/// <summary>
/// <c>aka rollback [vN] -a APP</c> (also <c>releases:rollback</c>): a new release with vN's slug
/// and config; without a version, the release before the current one. The API decides which
/// releases are eligible and says why one is not. It returns once the rollback is live (or has
/// failed, leaving the current release serving: then the failing process's last lines and the reason).
/// </summary>
public sealed class RollbackCommand : AkaCommand
{
    private const string Previous = "previous";

    private readonly Argument<string?> _release = new("release") { Arity = ArgumentArity.ZeroOrOne, Description = "The release to go back to: vN, N or its id (default: the previous one)" };
    private readonly Option<string> _app = CommonOptions.App();

    public RollbackCommand(CliContext context, CliOutput output)
        : base("rollback", "Roll an app back to an earlier release", context, output)
    {
        Aliases.Add("releases:rollback");
        Arguments.Add(_release);
        Options.Add(_app);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        var target = parseResult.GetValue(_release) ?? Previous;
        using var api = Connect();
        var request = new CreateReleaseRequest(null, JsonSerializer.SerializeToElement(target, SlipwayJson.Options), null);
        var release = await Output.WhileAsync($"Rolling back {app}", async () =>
            await api.WaitUntilSettledAsync(app, (await api.CreateReleaseAsync(app, request, ct)).Value, ct));
        var version = release.RollbackOf is { } of ? string.Create(CultureInfo.InvariantCulture, $"v{of}") : target;
        if (release.Status == "failed")
        {
            ReleaseFailure.ShowLines(Output, release);
            throw new CliException($"Rolling back to {version} failed (v{release.Version}): {release.FailureReason} {release.App.Name} keeps running its current release.");
        }

        Output.Line($"Rolling back to {version} on {release.App.Name}");
        if (AddonWarning(release.AddonsNotRolledBack ?? []) is { } warning)
        {
            Output.Line(warning);
        }

        return 0;
    }

    /// <summary>
    /// The one line that says which add-ons a rollback left as they are, e.g.
    /// <c>Add-ons are not rolled back: mydb (postgresql:standard) stays attached with its current data.</c>;
    /// null when the add-ons did not differ.
    /// </summary>
    public static string? AddonWarning(IReadOnlyList<AddonDifference> differences)
    {
        if (differences.Count == 0)
        {
            return null;
        }

        var clauses = new List<string>();
        var attached = differences.Where(d => d.AttachedNow).ToList();
        if (attached.Count > 0)
        {
            clauses.Add($"{Names(attached)} {(attached.Count == 1 ? "stays" : "stay")} attached with {(attached.Count == 1 ? "its" : "their")} current data");
        }

        var detached = differences.Where(d => !d.AttachedNow).ToList();
        if (detached.Count > 0)
        {
            clauses.Add($"{Names(detached)} {(detached.Count == 1 ? "stays" : "stay")} detached");
        }

        return $"Add-ons are not rolled back: {string.Join("; ", clauses)}.";
    }

    private static string Names(List<AddonDifference> addons)
    {
        var names = addons.Select(a => $"{a.Name} ({a.Plan})").ToList();
        return names.Count == 1 ? names[0] : $"{string.Join(", ", names[..^1])} and {names[^1]}";
    }
}
