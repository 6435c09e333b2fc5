namespace Slipway.TestSupport;

/// <summary>A server that polls git repositories every half second and fetches GitHub tarballs from a <see cref="GitHubStandIn"/>.</summary>
public class AutoDeployServerFixture : SlipwayServerFixture
{
    private GitHubStandIn? _github;

    public AutoDeployServerFixture()
    {
    }

    protected AutoDeployServerFixture(PostgresServer postgres)
        : base(Database.Postgres, postgres)
    {
    }

    public GitHubStandIn GitHub => _github ?? throw new InvalidOperationException("The GitHub stand-in has not started.");

    protected override IReadOnlyDictionary<string, string?> Settings => base.Settings.With(new Dictionary<string, string?>
    {
        ["Slipway:GitHub:ApiUrl"] = GitHub.BaseAddress.ToString().TrimEnd('/'),
        ["Slipway:Git:PollSeconds"] = "0.5",
    });

    protected override async Task StartDependenciesAsync() => _github = Own(await GitHubStandIn.StartAsync());
}
