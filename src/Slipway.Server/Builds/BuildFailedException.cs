namespace Slipway.Server.Builds;

/// <summary>A build step failed for a reason the user can act on; the message becomes the build's failure reason.</summary>
public sealed class BuildFailedException(string message, Exception? inner = null) : Exception(message, inner);
