using Microsoft.Extensions.Options;

namespace Slipway.Server.Slugs;

/// <summary>
/// The embedded slug store: <c>&lt;DataDir&gt;/slugs/&lt;aa&gt;/&lt;digest&gt;.tar.gz</c>. Bytes land in a
/// temporary file first and are moved into place only once verified, so a bad upload leaves nothing.
/// </summary>
public sealed class FolderSlugStore(IOptions<SlipwayOptions> options) : ISlugStore
{
    public string Root => Path.Combine(options.Value.FullDataDir, "slugs");

    public async Task<SlugPutResult> PutAsync(string expectedDigest, Stream content, long maxBytes, CancellationToken ct)
    {
        using var incoming = await IncomingSlug.ReceiveAsync(Path.Combine(Root, "incoming"), expectedDigest, content, maxBytes, ct);
        if (incoming.Status == SlugPutStatus.Stored)
        {
            var final = PathOf(incoming.Digest);
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            if (!File.Exists(final))
            {
                File.Move(incoming.Path, final, overwrite: true);
            }
        }

        return incoming.Result;
    }

    public Task<bool> ExistsAsync(string digest, CancellationToken ct) => Task.FromResult(File.Exists(PathOf(digest)));

    public Task<Stream> OpenReadAsync(string digest, CancellationToken ct) =>
        Task.FromResult<Stream>(new FileStream(PathOf(digest), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true));

    /// <summary>Every digest the store holds, for copying them to another store.</summary>
    public IEnumerable<string> Digests() =>
        Directory.Exists(Root)
            ? Directory.EnumerateFiles(Root, "*.tar.gz", SearchOption.AllDirectories)
                .Where(f => Path.GetFileName(Path.GetDirectoryName(f)) != "incoming")
                .Select(f => Path.GetFileName(f)[..^".tar.gz".Length])
            : [];

    private string PathOf(string digest) => Path.Combine(Root, digest[..2], digest + ".tar.gz");
}
