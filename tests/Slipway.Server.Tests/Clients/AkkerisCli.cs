using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Slipway.Server.Tests.Clients;

/// <summary>
/// Requests exactly as the Akkeris CLI (akkeris/cli 3.1.x) sends them: <c>content-type: application/json</c>
/// on every request (GET included), <c>accept: */*</c>, <c>accept-encoding: gzip</c>,
/// <c>user-agent: akkeris-cli</c>, the bearer token, bodies written as JSON without a length (so they
/// arrive chunked), no <c>Range</c>; and read as it reads them: any 2xx is success and its body must
/// be JSON, read by field name.
/// </summary>
public sealed class AkkerisCli(HttpClient http)
{
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathOrUrl, object? body = null)
    {
        using var request = new HttpRequestMessage(method, pathOrUrl);
        request.Headers.Accept.ParseAdd("*/*");
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        request.Headers.UserAgent.ParseAdd("akkeris-cli");
        request.Content = new ByteArrayContent(body is null ? [] : Encoding.UTF8.GetBytes(JsonSerializer.Serialize(body)));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (body is not null)
        {
            request.Headers.TransferEncodingChunked = true;
        }

        return await http.SendAsync(request);
    }

    /// <summary>Sends and reads the answer as the CLI does: a 2xx with a JSON body, or the test fails with what came.</summary>
    public async Task<JsonNode> ReadAsync(HttpMethod method, string pathOrUrl, object? body = null)
    {
        using var response = await SendAsync(method, pathOrUrl, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {pathOrUrl}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text) ?? throw new InvalidOperationException($"{method} {pathOrUrl} answered null.");
    }

    public Task<JsonNode> GetAsync(string pathOrUrl) => ReadAsync(HttpMethod.Get, pathOrUrl);

    public Task<JsonNode> PostAsync(string path, object body) => ReadAsync(HttpMethod.Post, path, body);

    public Task<JsonNode> PatchAsync(string path, object body) => ReadAsync(HttpMethod.Patch, path, body);
}
