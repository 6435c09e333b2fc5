using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Slipway.TestSupport;

/// <summary>
/// GitHub as far as auto-deploy sees it, on 127.0.0.1: the API's tarball route
/// (<c>GET /repos/{owner}/{repo}/tarball/{sha}</c>, which needs the token and answers 302 to a
/// download host, as GitHub does) and its archives (one top folder <c>owner-repo-sha7/</c>), plus
/// push payloads in GitHub's real shape, signed as GitHub signs them.
/// </summary>
public sealed class GitHubStandIn : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, byte[]> _tarballs = new(StringComparer.Ordinal);
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The Authorization header of each API tarball request, by path.</summary>
    public ConcurrentDictionary<string, string> Authorizations { get; } = new(StringComparer.Ordinal);

    public static async Task<GitHubStandIn> StartAsync()
    {
        var standIn = new GitHubStandIn();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/repos/{owner}/{repo}/tarball/{sha}", (string owner, string repo, string sha, HttpContext http) =>
        {
            var authorization = http.Request.Headers.Authorization.ToString();
            standIn.Authorizations[http.Request.Path] = authorization;
            if (!standIn._tarballs.ContainsKey(Key(owner, repo, sha)) || authorization.Length == 0)
            {
                return Results.Json(new { message = "Not Found", documentation_url = "https://docs.github.com/rest/repos/contents#download-a-repository-archive-tar" }, statusCode: 404);
            }

            return Results.Redirect($"/codeload/{owner}/{repo}/legacy.tar.gz/{sha}");
        });
        app.MapGet("/codeload/{owner}/{repo}/legacy.tar.gz/{sha}", (string owner, string repo, string sha) =>
            standIn._tarballs.TryGetValue(Key(owner, repo, sha), out var bytes) ? Results.Bytes(bytes, "application/x-gzip") : Results.NotFound());
        await app.StartAsync();
        standIn._app = app;
        standIn.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return standIn;
    }

    /// <summary>Makes a commit's tarball available, its files under GitHub's top folder.</summary>
    public void AddCommit(string owner, string repo, string sha, IEnumerable<ArchiveFile> files) =>
        _tarballs[Key(owner, repo, sha)] = Archives.TarGz(files, $"{owner}-{repo}-{sha[..7]}");

    /// <summary>A <c>push</c> payload as GitHub sends it (the fields of its documentation, trimmed of URLs that do not matter).</summary>
    public static byte[] PushPayload(string owner, string repo, string reference, string after, string message, string authorName = "Jane Doe", string login = "jdoe", bool deleted = false)
    {
        var commit = new
        {
            id = after,
            tree_id = RandomSha(),
            distinct = true,
            message,
            timestamp = "2026-11-27T15:00:00+00:00",
            url = $"https://github.com/{owner}/{repo}/commit/{after}",
            author = new { name = authorName, email = "jane@example.com", username = login },
            committer = new { name = "GitHub", email = "noreply@github.com", username = "web-flow" },
            added = Array.Empty<string>(),
            removed = Array.Empty<string>(),
            modified = new[] { "index.html" },
        };
        var payload = new Dictionary<string, object?>
        {
            ["ref"] = reference,
            ["before"] = RandomSha(),
            ["after"] = after,
            ["repository"] = new
            {
                id = 123456789,
                node_id = "R_kgDOabcdef",
                name = repo,
                full_name = $"{owner}/{repo}",
                @private = true,
                owner = new { name = owner, email = "jane@example.com", login = owner, id = 1234, type = "User" },
                html_url = $"https://github.com/{owner}/{repo}",
                url = $"https://github.com/{owner}/{repo}",
                clone_url = $"https://github.com/{owner}/{repo}.git",
                ssh_url = $"git@github.com:{owner}/{repo}.git",
                default_branch = "main",
                master_branch = "main",
            },
            ["pusher"] = new { name = login, email = "jane@example.com" },
            ["sender"] = new { login, id = 1234, type = "User", site_admin = false },
            ["created"] = false,
            ["deleted"] = deleted,
            ["forced"] = false,
            ["base_ref"] = null,
            ["compare"] = $"https://github.com/{owner}/{repo}/compare/{after[..12]}",
            ["commits"] = deleted ? Array.Empty<object>() : new object[] { commit },
            ["head_commit"] = deleted ? null : commit,
        };
        return JsonSerializer.SerializeToUtf8Bytes(payload);
    }

    /// <summary>A <c>ping</c> payload, as GitHub sends when a webhook is created.</summary>
    public static byte[] PingPayload(string owner, string repo) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        zen = "Keep it logically awesome.",
        hook_id = 42,
        hook = new { type = "Repository", id = 42, name = "web", active = true, events = new[] { "push" }, config = new { content_type = "json", insecure_ssl = "0", url = "https://slipway.example.com/hooks/github" } },
        repository = new { id = 123456789, name = repo, full_name = $"{owner}/{repo}", @private = true },
        sender = new { login = owner, id = 1234, type = "User" },
    });

    /// <summary><c>X-Hub-Signature-256</c> of a body with a secret, as GitHub computes it.</summary>
    public static string Sign(byte[] body, string secret) => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>A webhook delivery: the event, the body, and its signature (or none).</summary>
    public static HttpRequestMessage Delivery(string path, string eventName, byte[] body, string? signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-GitHub-Event", eventName);
        request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
        request.Headers.Add("User-Agent", "GitHub-Hookshot/abc1234");
        if (signature is not null)
        {
            request.Headers.Add("X-Hub-Signature-256", signature);
        }

        return request;
    }

    public static string RandomSha() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private static string Key(string owner, string repo, string sha) => $"{owner}/{repo}/{sha}".ToLowerInvariant();
}
