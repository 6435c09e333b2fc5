using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Slipway.Server.Slugs;

/// <summary>
/// The embedded slug store: <c>&lt;DataDir&gt;/slugs/&lt;aa&gt;/&lt;digest&gt;.tar.gz</c>. Bytes land in a
/// temporary file first and are moved into place only once verified, so a bad upload leaves nothing.
/// </summary>
public sealed class FolderSlugStore(IOptions<SlipwayOptions> options) : ISlugStore
{
    private string Root => Path.Combine(options.Value.FullDataDir, "slugs");

    public async Task<SlugPutResult> PutAsync(string expectedDigest, Stream content, long maxBytes, CancellationToken ct)
    {
        var incoming = Path.Combine(Root, "incoming");
        Directory.CreateDirectory(incoming);
        var temp = Path.Combine(incoming, Guid.NewGuid().ToString("N"));
        try
        {
            var (status, size, digest) = await CopyVerifiedAsync(content, temp, maxBytes, ct);
            if (status == SlugPutStatus.Stored && digest != expectedDigest)
            {
                status = SlugPutStatus.ChecksumMismatch;
            }

            if (status == SlugPutStatus.Stored)
            {
                var final = PathOf(digest);
                Directory.CreateDirectory(Path.GetDirectoryName(final)!);
                if (!File.Exists(final))
                {
                    File.Move(temp, final, overwrite: true);
                }
            }

            return new SlugPutResult(status, size, digest);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public Task<bool> ExistsAsync(string digest, CancellationToken ct) => Task.FromResult(File.Exists(PathOf(digest)));

    public Task<Stream> OpenReadAsync(string digest, CancellationToken ct) =>
        Task.FromResult<Stream>(new FileStream(PathOf(digest), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true));

    private string PathOf(string digest) => Path.Combine(Root, digest[..2], digest + ".tar.gz");

    private static async Task<(SlugPutStatus, long, string)> CopyVerifiedAsync(Stream content, string path, long maxBytes, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
        var buffer = new byte[81920];
        long size = 0;
        int read;
        while ((read = await content.ReadAsync(buffer, ct)) > 0)
        {
            if (size < 2 && !LooksLikeGzip(buffer.AsSpan(0, read), size))
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

        if (size < 2)
        {
            return (SlugPutStatus.NotGzip, size, "");
        }

        return (SlugPutStatus.Stored, size, Convert.ToHexStringLower(hash.GetHashAndReset()));
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
