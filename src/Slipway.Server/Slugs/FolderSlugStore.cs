using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Slipway.Server.Unpacking;

namespace Slipway.Server.Slugs;

/// <summary>
/// The embedded slug store: <c>&lt;DataDir&gt;/slugs/&lt;aa&gt;/&lt;digest&gt;.tar.gz</c>. Bytes land in a
/// temporary file first and are moved into place only once verified, so a bad upload leaves nothing.
/// </summary>
public sealed class FolderSlugStore(IOptions<SlipwayOptions> options, TimeProvider clock) : ISlugStore
{
    /// <summary>Where <see cref="SlugsApi"/> serves signed downloads: <c>/slug-blobs/{digest}?expires=…&amp;signature=…</c>.</summary>
    public const string DownloadPath = "/slug-blobs";

    private readonly Lazy<byte[]> _signingKey = new(() => LoadSigningKey(options.Value));

    public string Root => Path.Combine(options.Value.FullDataDir, "slugs");

    public async Task<SlugPutResult> PutAsync(string expectedDigest, Stream content, long maxBytes, CancellationToken ct)
    {
        using var incoming = await IncomingSlug.ReceiveAsync(Path.Combine(Root, "incoming"), expectedDigest, content, maxBytes, ArchiveRules.ForSlugs(options.Value), ct);
        if (incoming.Status == SlugPutStatus.Stored)
        {
            var final = PathOf(incoming.Digest);
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            if (!File.Exists(final))
            {
                File.Move(incoming.Path, final, overwrite: true);
            }

            // Written again, as far as the collector's grace period goes: a slug that claims these bytes is coming.
            File.SetLastWriteTimeUtc(final, clock.GetUtcNow().UtcDateTime);
        }

        return incoming.Result;
    }

    public Task<bool> ExistsAsync(string digest, CancellationToken ct) => Task.FromResult(File.Exists(PathOf(digest)));

    public Task<Stream> OpenReadAsync(string digest, CancellationToken ct) =>
        Task.FromResult<Stream>(new FileStream(PathOf(digest), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true));

    public Task<Uri> GetDownloadUrlAsync(string digest, TimeSpan lifetime, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(options.Value.PublicUrl))
        {
            throw new InvalidOperationException("Slipway:PublicUrl is required to hand out slug download URLs from the folder store (the URL at which pods reach this server).");
        }

        var expires = clock.GetUtcNow().Add(lifetime).ToUnixTimeSeconds();
        var url = $"{options.Value.PublicUrl.TrimEnd('/')}{DownloadPath}/{digest}?expires={expires}&signature={Sign(digest, expires)}";
        return Task.FromResult(new Uri(url));
    }

    /// <summary>True when the signature is this server's for <paramref name="digest"/> and has not expired.</summary>
    public bool IsValidDownload(string digest, long expires, string? signature, DateTimeOffset now) =>
        signature is not null
        && expires >= now.ToUnixTimeSeconds()
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(digest, expires)), Encoding.ASCII.GetBytes(signature));

    public async IAsyncEnumerable<StoredSlugBytes> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var digest in Digests())
        {
            ct.ThrowIfCancellationRequested();
            var written = File.GetLastWriteTimeUtc(PathOf(digest));
            yield return new StoredSlugBytes(digest, new DateTimeOffset(written, TimeSpan.Zero));
        }

        await Task.CompletedTask;
    }

    public Task DeleteAsync(string digest, CancellationToken ct)
    {
        var path = PathOf(digest);
        if (File.Exists(path))
        {
            File.Delete(path);
        }

        return Task.CompletedTask;
    }

    /// <summary>Every digest the store holds, for copying them to another store.</summary>
    public IEnumerable<string> Digests() =>
        Directory.Exists(Root)
            ? Directory.EnumerateFiles(Root, "*.tar.gz", SearchOption.AllDirectories)
                .Where(f => Path.GetFileName(Path.GetDirectoryName(f)) != "incoming")
                .Select(f => Path.GetFileName(f)[..^".tar.gz".Length])
            : [];

    private string Sign(string digest, long expires) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_signingKey.Value, Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{digest}\n{expires}"))));

    private static byte[] LoadSigningKey(SlipwayOptions options)
    {
        if (!string.IsNullOrEmpty(options.Slugs.SigningKey))
        {
            return Encoding.UTF8.GetBytes(options.Slugs.SigningKey);
        }

        var path = Path.Combine(options.FullDataDir, "slug-signing.key");
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(options.FullDataDir);
            try
            {
                using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                file.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another server on the same data folder wrote it first: use theirs.
            }
        }

        return Encoding.UTF8.GetBytes(File.ReadAllText(path).Trim());
    }

    private string PathOf(string digest) => Path.Combine(Root, digest[..2], digest + ".tar.gz");
}
