using Slipway.TestSupport;

namespace Slipway.Server.Tests.Runtime;

/// <summary>A real server whose runtime uses short timeouts, so failures show in seconds; shared by a test class.</summary>
public sealed class RuntimeServerFixture : IAsyncLifetime
{
    public static readonly Dictionary<string, string?> Settings = new()
    {
        ["Slipway:Runtime:StopGraceSeconds"] = "3",
        ["Slipway:Runtime:BootTimeoutSeconds"] = "10",
        ["Slipway:Runtime:ReleasePhaseTimeoutSeconds"] = "10",
        ["Slipway:Runtime:RestartBackoffSeconds"] = "0.1",
        ["Slipway:Runtime:MaxRestartBackoffSeconds"] = "0.5",
    };

    private SlipwayTestServer? _server;

    public SlipwayTestServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public async ValueTask InitializeAsync() => _server = await SlipwayTestServer.StartAsync(settings: Settings);

    public Task<RuntimeApp> CreateAppAsync() => RuntimeApp.CreateAsync(Server.Client(), Server.RouterPort);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
