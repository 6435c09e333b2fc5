using System.Security.Cryptography;
using Slipway.Server.Unpacking;

namespace Slipway.Server.Slugs;

/// <summary>
/// An upload being received: streamed to a temporary file while its size, (for slugs) gzip magic
/// and SHA-256 are checked, and then (for slugs) read through the archive rules, so that a slug
/// that could not be unpacked is never kept. Every slug store (uploads, builds, copies) and the
/// source uploads take bytes through here, so the checks are the same wherever the bytes are kept;
/// disposing removes the temporary file.
/// </summary>
public sealed class IncomingSlug : IDisposable
{
    private IncomingSlug(string path, SlugPutStatus status, long size, string digest, string? problem = null)
    {
        Path = path;
        Status = status;
        Size = size;
        Digest = digest;
        Problem = problem;
    }

    public string Path { get; }

    public SlugPutStatus Status { get; }

    public long Size { get; }

    /// <summary>The lowercase hex SHA-256 of what arrived (empty when it was refused before the end).</summary>
    public string Digest { get; }

    /// <summary>Why a slug was refused by the archive rules (<see cref="SlugPutStatus.Refused"/>).</summary>
    public string? Problem { get; }

    public SlugPutResult Result => new(Status, Size, Digest, Problem);

    /// <summary>
    /// Receives a slug into <paramref name="folder"/>, checks it against <paramref name="expectedDigest"/>,
    /// and reads it through <paramref name="rules"/> without unpacking it.
    /// </summary>
    public static async Task<IncomingSlug> ReceiveAsync(string folder, string expectedDigest, Stream content, long maxBytes, ArchiveRules rules, CancellationToken ct)
    {
        var incoming = await ReceiveAsync(folder, content, maxBytes, requireGzip: true, ct);
        if (incoming.Status != SlugPutStatus.Stored)
        {
            return incoming;
        }

        if (incoming.Digest != expectedDigest)
        {
            return new IncomingSlug(incoming.Path, SlugPutStatus.ChecksumMismatch, incoming.Size, incoming.Digest);
        }

        try
        {
            await Task.Run(() => ArchiveExtractor.Check(incoming.Path, rules, ct), ct);
            return incoming;
        }
        catch (ArchiveRejectedException e)
        {
            return new IncomingSlug(incoming.Path, SlugPutStatus.Refused, incoming.Size, incoming.Digest, e.Message);
        }
        catch
        {
            incoming.Dispose();
            throw;
        }
    }

    /// <summary>Receives any upload of at most <paramref name="maxBytes"/> into <paramref name="folder"/>, hashing it on the way.</summary>
    public static async Task<IncomingSlug> ReceiveAsync(string folder, Stream content, long maxBytes, bool requireGzip, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        var path = System.IO.Path.Combine(folder, Guid.NewGuid().ToString("N"));
        try
        {
            var (status, size, digest) = await CopyAsync(content, path, maxBytes, requireGzip, ct);
            return new IncomingSlug(path, status, size, digest);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    public void Dispose() => File.Delete(Path);

    private static async Task<(SlugPutStatus, long, string)> CopyAsync(Stream content, string path, long maxBytes, bool requireGzip, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
        var buffer = new byte[81920];
        long size = 0;
        int read;
        while ((read = await content.ReadAsync(buffer, ct)) > 0)
        {
            if (requireGzip && size < 2 && !LooksLikeGzip(buffer.AsSpan(0, read), size))
            {
                return (SlugPutStatus.NotGzip, size + read, "");
            }

            size += read;
            if (size > maxBytes)
            {
                return (SlugPutStatus.TooLarge, size, "");
            }

            hash.AppendData(buffer, 0, read);
            await file.WriteAsync(buffer.AsMemory(0, read), ct);
        }

        return requireGzip && size < 2
            ? (SlugPutStatus.NotGzip, size, "")
            : (SlugPutStatus.Stored, size, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>Checks the gzip magic (1f 8b) in the bytes that fall at offsets 0 and 1.</summary>
    private static bool LooksLikeGzip(ReadOnlySpan<byte> chunk, long offset)
    {
        ReadOnlySpan<byte> magic = [0x1f, 0x8b];
        for (var i = 0; i < chunk.Length && offset + i < 2; i++)
        {
            if (chunk[i] != magic[(int)(offset + i)])
            {
                return false;
            }
        }

        return true;
    }
}
