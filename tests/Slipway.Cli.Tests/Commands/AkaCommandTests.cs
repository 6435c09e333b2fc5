using System.Net;
using System.Net.Sockets;

namespace Slipway.Cli.Tests.Commands;

/// <summary>What every command does when the token is bad or the server cannot be reached.</summary>
public sealed class AkaCommandTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task AnyCommand_WithInvalidToken_FailsWithTheServerMessage()
    {
        var result = await (fixture.Aka with { Token = "slw_not_a_token" }).RunAsync("apps");

        Assert.Equal("! The token is not valid.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task AnyCommand_ServerUnreachable_FailsWithOneErrorLine()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closed = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        listener.Stop();

        var result = await new Aka(closed).RunAsync("apps");

        Assert.StartsWith($"! Cannot reach the Slipway API at {closed}: ", result.Error);
        Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
        Assert.Equal(1, result.ExitCode);
    }
}
