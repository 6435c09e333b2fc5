using Slipway.TestSupport;

namespace Slipway.Server.Tests.AutoDeploy;

/// <summary>A GitHub stand-in, and a real server that calls it for tarballs and polls git repositories every half second.</summary>
public abstract class AutoDeployFixture : IAsyncLifetime
{
    private GitHubStandIn? _github;
    private SlipwayTestServer? _server;

    public GitHubStandIn GitHub => _github ?? throw new InvalidOperationException("The GitHub stand-in has not started.");

    public SlipwayTestServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public async ValueTask InitializeAsync()
    {
        _github = await GitHubStandIn.StartAsync();
        _server = await StartAsync(new Dictionary<string, string?>
        {
            ["Slipway:GitHub:ApiUrl"] = _github.BaseAddress.ToString().TrimEnd('/'),
            ["Slipway:Git:PollSeconds"] = "0.5",
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_github is not null)
        {
            await _github.DisposeAsync();
        }
    }

    protected abstract Task<SlipwayTestServer> StartAsync(Dictionary<string, string?> settings);
}

public sealed class SqliteAutoDeployFixture : AutoDeployFixture
{
    protected override Task<SlipwayTestServer> StartAsync(Dictionary<string, string?> settings) => SlipwayTestServer.StartAsync(settings: settings);
}

public sealed class PostgresAutoDeployFixture(PostgresServer postgres) : AutoDeployFixture
{
    protected override Task<SlipwayTestServer> StartAsync(Dictionary<string, string?> settings) => SlipwayTestServer.StartAsync(Database.Postgres, postgres, settings);
}
