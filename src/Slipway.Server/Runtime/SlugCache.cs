using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Slipway.Server.Slugs;
using Slipway.Server.Unpacking;

namespace Slipway.Server.Runtime;

/// <summary>
/// Unpacks each slug once, by digest, into a read-only folder under the data folder
/// (<c>runtime/slugs/&lt;digest&gt;/app</c>) that every process of every release with that slug shares.
/// The slug is held to the archive rules of <see cref="ArchiveExtractor"/>, as when it was uploaded.
/// </summary>
public sealed class SlugCache(ISlugStore store, IOptions<SlipwayOptions> options)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    private string Root => Path.Combine(options.Value.FullDataDir, "runtime", "slugs");

    /// <summary>The unpacked <c>./app</c> folder of the slug with <paramref name="digest"/>.</summary>
    public async Task<string> UnpackAsync(string digest, CancellationToken ct)
    {
        if (digest.Length != 64 || !digest.All(Uri.IsHexDigit))
        {
            throw new SlugUnpackException($"'{digest}' is not a slug digest.");
        }

        var final = Path.Combine(Root, digest);
        var gate = _locks.GetOrAdd(digest, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            if (!Directory.Exists(final))
            {
                await ExtractAsync(digest, final, ct);
            }
        }
        finally
        {
            gate.Release();
        }

        var app = Path.Combine(final, "app");
        return Directory.Exists(app) ? app : throw new SlugUnpackException("The slug has no ./app folder (a slug is a tar.gz with the app under ./app/).");
    }

    private async Task ExtractAsync(string digest, string final, CancellationToken ct)
    {
        if (!await store.ExistsAsync(digest, ct))
        {
            throw new SlugUnpackException($"The slug's bytes (SHA256:{digest}) are not in the slug store.");
        }

        var temp = Path.Combine(Root, ".incoming", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(temp);
        try
        {
            await ExtractEntriesAsync(digest, temp, ct);
            Directory.Move(temp, final);
            File.SetUnixFileMode(final, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        catch (ArchiveRejectedException e)
        {
            throw new SlugUnpackException(e.Message);
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }

    /// <summary>Unpacks the slug with the one archive reader and the slug rules (the same checks its upload passed).</summary>
    private async Task ExtractEntriesAsync(string digest, string root, CancellationToken ct)
    {
        await using var compressed = await store.OpenReadAsync(digest, ct);
        await Task.Run(() => ArchiveExtractor.Extract(compressed, root, ArchiveRules.ForSlugs(options.Value), ct), ct);
    }
}

/// <summary>A slug that cannot be run; the message says why and is kept as the release's failure reason.</summary>
public sealed class SlugUnpackException(string message) : Exception(message);
