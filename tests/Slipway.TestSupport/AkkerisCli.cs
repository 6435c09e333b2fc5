using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Slipway.TestSupport;

/// <summary>
/// Requests as the Akkeris CLI (akkeris/cli 3.1.x, <c>appkit_request</c> in <c>aka.js</c>) sends them, over
/// a test's own <see cref="HttpClient"/> (whose <c>Authorization: Bearer</c> stands for the CLI's netrc
/// token): <c>content-type: application/json</c> on every call, GET and DELETE too; <c>accept: */*</c>;
/// <c>accept-encoding: gzip</c>; <c>user-agent: akkeris-cli</c>; no <c>Range</c>; a body as JSON written
/// without a length, so it arrives chunked. The answer is read the way the CLI reads it: any 2xx body
/// must be empty or JSON.
/// </summary>
public static class AkkerisCli
{
    /// <summary>Sends <paramref name="method"/> <paramref name="path"/> with <paramref name="body"/> (serialized as written), as the CLI does.</summary>
    public static Task<HttpResponseMessage> SendAsAkkerisAsync(this HttpClient http, HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is null)
        {
            request.Content = new ByteArrayContent([]);
        }
        else
        {
            request.Content = new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8);
            request.Headers.TransferEncodingChunked = true;
        }

        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("accept", "*/*");
        request.Headers.TryAddWithoutValidation("accept-encoding", "gzip");
        request.Headers.TryAddWithoutValidation("user-agent", "akkeris-cli");
        return http.SendAsync(request);
    }

    /// <summary>Sends as the CLI does and reads a 2xx answer as the CLI does: JSON (or null for an empty body); fails on any other status.</summary>
    public static async Task<JsonElement?> AkkerisAsync(this HttpClient http, HttpMethod method, string path, object? body = null)
    {
        using var response = await http.SendAsAkkerisAsync(method, path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? null : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Sends as the CLI does and answers the status and the error's <c>message</c>, which the CLI prints as <c>☠ Error N, message</c>.</summary>
    public static async Task<(int Status, string Message)> AkkerisErrorAsync(this HttpClient http, HttpMethod method, string path, object? body = null)
    {
        using var response = await http.SendAsAkkerisAsync(method, path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.False(response.IsSuccessStatusCode, $"{method} {path} should have failed: {text}");
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.GetProperty("message").GetString()!);
    }
}
