namespace Slipway.Cli;

/// <summary>
/// A failure the user should read as one line (<c>! message</c> on stderr, exit code 1):
/// a refusal from the API, a missing token, a malformed argument.
/// </summary>
public sealed class CliException(string message) : Exception(message);
