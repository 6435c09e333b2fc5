using System.Text.Json.Nodes;

namespace Slipway.Server.Tests.Clients;

/// <summary>
/// The Akkeris CLI's requests (sent by <see cref="Slipway.TestSupport.AkkerisCli"/>) over one client, with
/// answers read as <see cref="JsonNode"/>s: any 2xx is success and its body must be JSON, read by field name.
/// </summary>
public sealed class AkkerisClient(HttpClient http)
{
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathOrUrl, object? body = null) =>
        http.SendAsAkkerisAsync(method, pathOrUrl, body);

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
