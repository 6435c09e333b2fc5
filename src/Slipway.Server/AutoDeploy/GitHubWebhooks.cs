using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Slipway.Contracts;
using Slipway.Server.Apps;
using Slipway.Server.Data;
using Slipway.Server.Http;

namespace Slipway.Server.AutoDeploy;

/// <summary>
/// GitHub's webhooks, without a bearer token: <c>POST /apps/{app}/builds/auto/github</c> for one
/// app, and <c>POST /hooks/github</c> for every app that watches the pushed repository. A
/// delivery counts only for an app whose webhook secret signs it (<c>X-Hub-Signature-256</c>,
/// HMAC-SHA256 of the raw body, compared in constant time): otherwise 401 and nothing is built.
/// <c>ping</c> answers <c>pong</c>; a <c>push</c> to the watched branch queues a build (202);
/// other branches, tags and deletions are ignored with a 202 that says why.
/// </summary>
public static class GitHubWebhooks
{
    /// <summary>GitHub sends at most 25 MB.</summary>
    private const int MaxPayloadBytes = 25 << 20;

    private const string ZeroSha = "0000000000000000000000000000000000000000";

    public static IEndpointRouteBuilder MapGitHubWebhooks(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/apps/{app}/builds/auto/github", ForApp).AllowAnonymous().WithMetadata(new BodyLimit(MaxPayloadBytes + 1));
        routes.MapPost("/hooks/github", ForAll).AllowAnonymous().WithMetadata(new BodyLimit(MaxPayloadBytes + 1));
        return routes;
    }

    private static async Task<Results<Ok<WebhookResponse>, Accepted<WebhookResponse>, ProblemHttpResult>> ForApp(
        string app, HttpContext http, SlipwayDb db, AutoDeploySecrets secrets, AutoDeployer deployer, CancellationToken ct)
    {
        var found = Guid.TryParse(app, out var id)
            ? await db.Apps.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct)
            : await db.Apps.AsNoTracking().FirstOrDefaultAsync(a => a.Key == app.ToLowerInvariant(), ct);
        var setting = found is null ? null : await db.AutoDeploySettings.AsNoTracking().FirstOrDefaultAsync(s => s.AppId == found.Id && s.Kind == RepoKind.GitHub, ct);
        if (found is null || setting is null)
        {
            return ApiProblem.NotFound($"App '{app}' does not watch a GitHub repository.");
        }

        var body = await ReadAsync(http.Request, ct);
        if (body is null)
        {
            return ApiProblem.Of(StatusCodes.Status413PayloadTooLarge, "payload_too_large", $"The payload is larger than {MaxPayloadBytes} bytes.");
        }

        if (!GitHubClient.SignatureMatches(body, secrets.Unprotect(setting.ProtectedWebhookSecret), http.Request.Headers["X-Hub-Signature-256"]))
        {
            return BadSignature();
        }

        var payload = Parse(body);
        return payload is null ? NotJson() : Handle(http, payload.Value, [(found, setting)], deployer);
    }

    private static async Task<Results<Ok<WebhookResponse>, Accepted<WebhookResponse>, ProblemHttpResult>> ForAll(
        HttpContext http, SlipwayDb db, AutoDeploySecrets secrets, AutoDeployer deployer, CancellationToken ct)
    {
        var body = await ReadAsync(http.Request, ct);
        if (body is null)
        {
            return ApiProblem.Of(StatusCodes.Status413PayloadTooLarge, "payload_too_large", $"The payload is larger than {MaxPayloadBytes} bytes.");
        }

        var payload = Parse(body);
        if (payload is null)
        {
            return NotJson();
        }

        var fullName = String(payload.Value, "repository", "full_name")?.ToLowerInvariant();
        var signature = http.Request.Headers["X-Hub-Signature-256"].ToString();
        var candidates = fullName is null ? [] : await db.AutoDeploySettings.AsNoTracking()
            .Where(s => s.Kind == RepoKind.GitHub && s.RepoFullName == fullName)
            .Join(db.Apps, s => s.AppId, a => a.Id, (s, a) => new { Setting = s, App = a })
            .ToListAsync(ct);
        var signed = candidates
            .Where(c => GitHubClient.SignatureMatches(body, secrets.Unprotect(c.Setting.ProtectedWebhookSecret), signature))
            .Select(c => (c.App, c.Setting))
            .ToList();
        return signed.Count == 0 ? BadSignature() : Handle(http, payload.Value, signed, deployer);
    }

    private static Results<Ok<WebhookResponse>, Accepted<WebhookResponse>, ProblemHttpResult> Handle(
        HttpContext http, JsonElement payload, List<(App App, AutoDeploySetting Setting)> apps, AutoDeployer deployer)
    {
        var keys = apps.Select(a => a.App.Key).Order(StringComparer.Ordinal).ToList();
        var kind = http.Request.Headers["X-GitHub-Event"].ToString();
        switch (kind)
        {
            case "ping":
                return TypedResults.Ok(new WebhookResponse("pong", $"Pong: {string.Join(", ", apps.Select(a => $"{a.App.Key} watches {a.Setting.Branch}"))}.", keys));
            case "push":
                break;
            default:
                return Ignored($"'{kind}' events are not acted on; only push (and ping).", keys);
        }

        var reference = String(payload, "ref") ?? "";
        var after = String(payload, "after")?.ToLowerInvariant() ?? "";
        if (reference.StartsWith("refs/tags/", StringComparison.Ordinal))
        {
            return Ignored($"{reference} is a tag; only pushes to a branch are built.", keys);
        }

        if ((payload.TryGetProperty("deleted", out var deleted) && deleted.ValueKind == JsonValueKind.True) || after == ZeroSha)
        {
            return Ignored($"{reference} was deleted; there is nothing to build.", keys);
        }

        if (!reference.StartsWith("refs/heads/", StringComparison.Ordinal) || after.Length is < 7 or > 64 || !after.All(Uri.IsHexDigit))
        {
            return Ignored($"'{reference}' at '{after}' is not a push to a branch.", keys);
        }

        var branch = reference["refs/heads/".Length..];
        var author = AuthorOf(payload);
        var message = String(payload, "head_commit", "message");
        var queued = new List<string>();
        var reasons = new List<string>();
        foreach (var (app, setting) in apps)
        {
            if (setting.Branch != branch)
            {
                reasons.Add($"{app.Key} watches {setting.Branch}, not {branch}");
            }
            else if (deployer.TryEnqueue(new PushTrigger(app.Id, setting.Repo, setting.Branch, after, author, message)))
            {
                queued.Add(app.Key);
            }
            else
            {
                reasons.Add($"too many pushes wait; {app.Key} builds at the next push");
            }
        }

        if (queued.Count == 0)
        {
            return Ignored($"Push to {branch} not built: {string.Join("; ", reasons)}.", keys);
        }

        return TypedResults.Accepted(
            $"/apps/{queued[0]}/builds",
            new WebhookResponse("queued", $"Building {after[..7]} of {branch} for {string.Join(", ", queued)}.", queued));
    }

    /// <summary><c>Name (login)</c> when GitHub says who pushed the commit, else the name or the login alone.</summary>
    private static string? AuthorOf(JsonElement payload)
    {
        var name = String(payload, "head_commit", "author", "name");
        var login = String(payload, "head_commit", "author", "username") ?? String(payload, "sender", "login");
        return (name, login) switch
        {
            ({ } n, { } l) when n != l => $"{n} ({l})",
            ({ } n, _) => n,
            (null, { } l) => l,
            _ => null,
        };
    }

    private static Accepted<WebhookResponse> Ignored(string reason, List<string> apps) => TypedResults.Accepted((string?)null, new WebhookResponse("ignored", reason, apps));

    private static ProblemHttpResult BadSignature() =>
        ApiProblem.Of(StatusCodes.Status401Unauthorized, "bad_signature", "X-Hub-Signature-256 is missing or is not the HMAC-SHA256 of the body with the app's webhook secret.");

    private static ProblemHttpResult NotJson() => ApiProblem.BadRequest("The payload is not JSON (set the webhook's content type to application/json).");

    private static async Task<byte[]?> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxPayloadBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static JsonElement? Parse(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? String(JsonElement element, params string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return null;
            }
        }

        return element.ValueKind == JsonValueKind.String && element.GetString() is { Length: > 0 } text ? text : null;
    }
}
