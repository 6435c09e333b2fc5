using System.Net;
using System.Net.Http.Headers;

namespace Slipway.Server.Tests.Accounts;

public sealed class AdminBootstrapTests
{
    [Fact]
    public async Task FirstStart_WithoutConfiguredToken_WritesWorkingTokenWithMode0600()
    {
        await using var server = await SlipwayTestServer.StartAsync(settings: new Dictionary<string, string?> { ["Slipway:AdminToken"] = "" });
        var path = Path.Combine(server.DataDir, "admin-token");

        var token = (await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken)).Trim();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.StartsWith("slw_", token);
        using var client = server.Client(token: null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/account", TestContext.Current.CancellationToken)).StatusCode);
        using var configured = server.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await configured.GetAsync("/account", TestContext.Current.CancellationToken)).StatusCode);
    }
}
