using System.Net;

namespace Slipway.Cli;

/// <summary>
/// A failure the user should read as one line (<c>! message</c> on stderr, exit code 1):
/// a refusal from the API, a missing token, a malformed argument.
/// </summary>
public class CliException(string message) : Exception(message);

/// <summary>A refusal from the API: its message, and the status for the few callers that act on it (404 ends a destroy).</summary>
public sealed class ApiException(HttpStatusCode status, string message) : CliException(message)
{
    public HttpStatusCode Status { get; } = status;
}
