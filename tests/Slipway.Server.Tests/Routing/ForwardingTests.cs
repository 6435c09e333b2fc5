using System.Net;
using System.Net.Sockets;
using System.Text;
using Slipway.Server.Tests.Runtime;

namespace Slipway.Server.Tests.Routing;

/// <summary>
/// What the router's forwarding must get right between client and app: body framings both ways,
/// bodyless answers, connections the app closes, an app that does not speak HTTP, the headers each
/// side sees, and upgrades.
/// </summary>
public sealed class ForwardingTests(RuntimeServerFixture fixture) : IClassFixture<RuntimeServerFixture>
{
    /// <summary>An HTTP/1.1 keep-alive app with one path per case the router must forward.</summary>
    private const string Web = """
        import os, socket
        from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def answer(self, status, body, headers=()):
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                if body is not None:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body is not None and self.command != "HEAD":
                    self.wfile.write(body)

            def read_body(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    data = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0], 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return data, "chunked"
                        data += self.rfile.read(size)
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length", "0"))), "length"

            def do_HEAD(self):
                self.do_GET()

            def do_GET(self):
                if self.headers.get("Upgrade"):
                    self.send_response(101)
                    self.send_header("Upgrade", self.headers["Upgrade"])
                    self.send_header("Connection", "Upgrade")
                    self.end_headers()
                    self.wfile.flush()
                    while True:
                        data = self.connection.recv(4096)
                        if not data:
                            break
                        self.connection.sendall(data.upper())
                    self.close_connection = True
                elif self.path == "/headers":
                    text = "".join("%s: %s\n" % (k.lower(), v) for k, v in self.headers.items())
                    self.answer(200, text.encode(), [("X-App", "yes"), ("Keep-Alive", "timeout=5")])
                elif self.path == "/chunked":
                    self.send_response(200)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for part in (b"first ", b"second ", b"x" * 70000, b" last"):
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                        self.wfile.flush()
                    self.wfile.write(b"0\r\n\r\n")
                elif self.path == "/big":
                    self.answer(200, bytes(i % 251 for i in range(3_000_000)))
                elif self.path == "/nocontent":
                    self.answer(204, None, [("X-App", "yes")])
                elif self.path == "/notmodified":
                    self.answer(304, None, [("ETag", '"v1"')])
                elif self.path == "/close":
                    self.answer(200, b"closing", [("Connection", "close")])
                    self.close_connection = True
                elif self.path == "/drop":
                    self.answer(200, b"dropped")
                    self.close_connection = True
                elif self.path == "/toend":
                    self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end")
                    self.close_connection = True
                elif self.path == "/nonsense":
                    self.wfile.write(b"this is not HTTP\r\n\r\n")
                    self.close_connection = True
                else:
                    self.answer(200, b"ok")

            def do_POST(self):
                data, framing = self.read_body()
                self.answer(200, data, [("X-Framing", framing)])

            def log_message(self, format, *args):
                pass

        ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()
        """;

    [Fact]
    public async Task Router_RequestHeaders_ReachTheAppWithForwardedOnesAndWithoutHopByHop()
    {
        await using var app = await DeployAsync();
        using var client = Client();
        using var request = Request(app, HttpMethod.Get, "/headers");
        request.Headers.TryAddWithoutValidation("X-Custom", "kept");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.7");
        request.Headers.TryAddWithoutValidation("Keep-Alive", "timeout=9");

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var seen = (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Split('\n');

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"host: {app.Key}.localhost", seen);
        Assert.Contains("x-custom: kept", seen);
        Assert.Contains("x-forwarded-for: 203.0.113.7, 127.0.0.1", seen);
        Assert.Contains("x-forwarded-proto: http", seen);
        Assert.Contains($"x-forwarded-port: {fixture.Server.RouterPort}", seen);
        Assert.Contains(seen, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^x-request-start: \d{13}$"));
        Assert.DoesNotContain(seen, l => l.StartsWith("keep-alive:", StringComparison.Ordinal));
        Assert.Equal("yes", response.Headers.GetValues("X-App").Single());
        Assert.False(response.Headers.Contains("Keep-Alive"));
    }

    [Fact]
    public async Task Router_ChunkedAndSizedBodies_ArriveWholeBothWays()
    {
        await using var app = await DeployAsync();
        using var client = Client();
        var large = Enumerable.Range(0, 2_000_000).Select(i => (byte)(i % 253)).ToArray();

        using var sized = Request(app, HttpMethod.Post, "/echo");
        sized.Content = new ByteArrayContent(large);
        using var sizedResponse = await client.SendAsync(sized, TestContext.Current.CancellationToken);
        using var chunked = Request(app, HttpMethod.Post, "/echo");
        chunked.Content = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes("a chunked request body")));
        chunked.Headers.TransferEncodingChunked = true;
        using var chunkedResponse = await client.SendAsync(chunked, TestContext.Current.CancellationToken);
        using var chunkedAnswer = await client.SendAsync(Request(app, HttpMethod.Get, "/chunked"), TestContext.Current.CancellationToken);
        using var big = await client.SendAsync(Request(app, HttpMethod.Get, "/big"), TestContext.Current.CancellationToken);

        Assert.Equal(("length", large.Length), (sizedResponse.Headers.GetValues("X-Framing").Single(), sizedResponse.Content.Headers.ContentLength));
        Assert.Equal(large, await sizedResponse.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal("chunked", chunkedResponse.Headers.GetValues("X-Framing").Single());
        Assert.Equal("a chunked request body", await chunkedResponse.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal($"first second {new string('x', 70000)} last", await chunkedAnswer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(Enumerable.Range(0, 3_000_000).Select(i => (byte)(i % 251)).ToArray(), await big.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Router_HeadAndBodylessStatuses_AnswerWithoutABody()
    {
        await using var app = await DeployAsync();
        using var client = Client();

        using var head = await client.SendAsync(Request(app, HttpMethod.Head, "/big"), TestContext.Current.CancellationToken);
        using var noContent = await client.SendAsync(Request(app, HttpMethod.Get, "/nocontent"), TestContext.Current.CancellationToken);
        using var notModified = await client.SendAsync(Request(app, HttpMethod.Get, "/notmodified"), TestContext.Current.CancellationToken);
        var (status, body) = await app.GetAsync("/");

        Assert.Equal((HttpStatusCode.OK, 3_000_000L), (head.StatusCode, head.Content.Headers.ContentLength));
        Assert.Empty(await head.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal((HttpStatusCode.NoContent, "yes"), (noContent.StatusCode, noContent.Headers.GetValues("X-App").Single()));
        Assert.Empty(await noContent.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal((HttpStatusCode.NotModified, "\"v1\""), (notModified.StatusCode, notModified.Headers.ETag?.Tag));
        Assert.Equal((HttpStatusCode.OK, "ok"), (status, body));
    }

    [Fact]
    public async Task Router_AppClosingItsConnections_LosesNoRequest()
    {
        await using var app = await DeployAsync();
        using var client = Client();

        var answers = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var path = (i % 4) switch { 0 => "/drop", 1 => "/close", 2 => "/toend", _ => "/" };
            using var response = await client.SendAsync(Request(app, HttpMethod.Get, path), TestContext.Current.CancellationToken);
            answers.Add($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => (i % 4) switch { 0 => "200 dropped", 1 => "200 closing", 2 => "200 until the end", _ => "200 ok" }), answers);
    }

    [Fact]
    public async Task Router_AppAnsweringNonsense_Answers502()
    {
        await using var app = await DeployAsync();

        var (status, body) = await app.GetAsync("/nonsense");

        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Contains("did not answer this request properly", body, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, "ok"), await app.GetAsync("/"));
    }

    [Fact]
    public async Task Router_UpgradeRequest_IsForwardedBothWays()
    {
        await using var app = await DeployAsync();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, fixture.Server.RouterPort, TestContext.Current.CancellationToken);
        var stream = tcp.GetStream();

        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"GET /socket HTTP/1.1\r\nHost: {app.Key}.localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"), TestContext.Current.CancellationToken);
        var head = await ReadUntilAsync(stream, "\r\n\r\n");
        await stream.WriteAsync("shout"u8.ToArray(), TestContext.Current.CancellationToken);
        var echoed = await ReadUntilAsync(stream, "SHOUT");

        Assert.StartsWith("HTTP/1.1 101 ", head, StringComparison.Ordinal);
        Assert.EndsWith("SHOUT", echoed, StringComparison.Ordinal);
    }

    private async Task<RuntimeApp> DeployAsync()
    {
        var app = await fixture.CreateAppAsync();
        var web = new Dictionary<string, string> { ["web"] = "python3 web.py" };
        await app.DeploySucceededAsync(await app.UploadSlugAsync("forwarding", web, Archives.Slug([new ArchiveFile("web.py", Web)])));
        return app;
    }

    private static HttpClient Client() => new(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = DecompressionMethods.None })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    private HttpRequestMessage Request(RuntimeApp app, HttpMethod method, string path) =>
        new(method, $"http://127.0.0.1:{fixture.Server.RouterPort}{path}") { Headers = { Host = $"{app.Key}.localhost" } };

    private static async Task<string> ReadUntilAsync(NetworkStream stream, string end)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (!text.ToString().Contains(end, StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                break;
            }

            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return text.ToString();
    }
}
