using System.Text.RegularExpressions;

namespace Slipway.Server.Slugs;

/// <summary>
/// The one form of a checksum in the API: <c>SHA256:</c> followed by 64 hex digits, kept in
/// lowercase; the digest alone addresses blobs in the stores.
/// </summary>
public static partial class Checksum
{
    public const string Prefix = "SHA256:";

    public const string Rule = "checksum must be 'SHA256:' followed by 64 hex digits.";

    /// <summary>The normalised checksum of <paramref name="text"/>, or null when it is not one.</summary>
    public static string? Normalize(string? text) =>
        text?.Trim() is { } trimmed && Pattern().IsMatch(trimmed) ? Of(trimmed[Prefix.Length..].ToLowerInvariant()) : null;

    /// <summary>The checksum of a lowercase hex SHA-256 digest.</summary>
    public static string Of(string digest) => Prefix + digest;

    /// <summary>The digest part of a normalised checksum.</summary>
    public static string DigestOf(string checksum) => checksum[Prefix.Length..];

    [GeneratedRegex("^SHA256:[0-9a-fA-F]{64}$")]
    private static partial Regex Pattern();
}
