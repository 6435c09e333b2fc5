using System.Net;
using System.Net.Sockets;
using System.Text;
using Slipway.Server.Tests.Runtime;

namespace Slipway.Server.Tests.Routing;

/// <summary>The built-in router: which app a host names, and the address an app is reached at.</summary>
public sealed class RouterTests(RuntimeServerFixture fixture) : IClassFixture<RuntimeServerFixture>
{
    /// <summary>A web process that reads a request body before it answers, so that the router is the one to find it broken.</summary>
    private const string BodyReadingWeb = """
        python3 -c "
        import http.server, os
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200); self.end_headers(); self.wfile.write(b'ok')
            def do_POST(self):
                self.rfile.readline(); self.send_response(200); self.end_headers()
        http.server.HTTPServer(('127.0.0.1', int(os.environ['PORT'])), H).serve_forever()
        "
        """;

    /// <summary>A web process that answers <c>hello</c> with its Content-Length.</summary>
    private const string SizedWeb = """
        python3 -c "
        import http.server, os
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200); self.send_header('Content-Length', '5'); self.end_headers(); self.wfile.write(b'hello')
        http.server.HTTPServer(('127.0.0.1', int(os.environ['PORT'])), H).serve_forever()
        "
        """;

    [Fact]
    public async Task Router_UnknownHost_AnswersNotFound()
    {
        await using var app = await fixture.CreateAppAsync();

        var (status, body) = await app.GetAsync(host: "nosuchapp-nospace.localhost");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("No such app", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await app.GetAsync(host: "example.com")).Status);
    }

    [Fact]
    public async Task Router_BadChunkedBody_Answers400NotBadGateway()
    {
        await using var app = await fixture.CreateAppAsync();
        await app.DeploySucceededAsync(await app.UploadSlugAsync("chunked", new() { ["web"] = BodyReadingWeb }));

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, fixture.Server.RouterPort, TestContext.Current.CancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST / HTTP/1.1\r\nHost: {app.Key}.localhost\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nnot a chunk\r\n0\r\n\r\n"), TestContext.Current.CancellationToken);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync(TestContext.Current.CancellationToken);

        Assert.Equal("HTTP/1.1 400 Bad Request", statusLine);
    }

    [Fact]
    public async Task Router_ServedRequest_LogsAHerokuStyleLineInTheAppsLog()
    {
        await using var app = await fixture.CreateAppAsync();
        await app.DeploySucceededAsync(await app.UploadSlugAsync("logged", new() { ["web"] = SizedWeb }));

        // Any case, a port and a trailing dot name the same app.
        var host = $"{app.Key.ToUpperInvariant()}.LocalHost.:{fixture.Server.RouterPort}";
        var (status, body) = await app.GetAsync("/hello?x=1", host: host);

        Assert.Equal((HttpStatusCode.OK, "hello"), (status, body));
        var line = await Poll.UntilAsync(
            async () => (await app.LogsAsync()).Split('\n').FirstOrDefault(l => l.Contains("slipway[router]: at=info", StringComparison.Ordinal)),
            l => l is not null,
            _ => "no router line in the app's log",
            TimeSpan.FromSeconds(30));
        Assert.Matches($@"slipway\[router\]: at=info method=GET path=/hello\?x=1 host={System.Text.RegularExpressions.Regex.Escape(host)} status=200 bytes=5 service=\d+ms$", line);
    }

    [Fact]
    public async Task App_WebUrl_PointsAtTheRouter()
    {
        await using var app = await fixture.CreateAppAsync();

        var response = await SlipwayApi.ReadAsync<Slipway.Contracts.AppResponse>(await app.Api.GetAsync($"/apps/{app.Key}", TestContext.Current.CancellationToken), HttpStatusCode.OK);

        Assert.Equal($"http://{app.Key}.localhost:{fixture.Server.RouterPort}", response.WebUrl);
    }
}
