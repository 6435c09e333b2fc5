using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Slipway.Server.Slugs;

public static class SlugStoreSetup
{
    public const string CopyCommand = "slugs:copy-to-s3";

    /// <summary>Registers the slug service and the slug store that <c>Slipway:Slugs:Kind</c> names (folder by default, or s3).</summary>
    public static IServiceCollection AddSlugStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<FolderSlugStore>();
        if (configuration["Slipway:Slugs:Kind"] == "s3")
        {
            services.AddSingleton<S3SlugStore>();
            services.AddSingleton<ISlugStore>(sp => sp.GetRequiredService<S3SlugStore>());
        }
        else
        {
            services.AddSingleton<ISlugStore>(sp => sp.GetRequiredService<FolderSlugStore>());
        }

        services.AddScoped<SlugService>();
        return services;
    }

    /// <summary>
    /// <c>Slipway.Server slugs:copy-to-s3 --Slipway:Slugs:S3:Bucket=…</c>: copies every slug of the
    /// folder store into the bucket (skipping those already there), re-checking each digest on the way.
    /// </summary>
    public static async Task<int> CopyFolderToS3Async(string[] args, TextWriter output, CancellationToken ct)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
        var options = configuration.GetSection(SlipwayOptions.Section).Get<SlipwayOptions>() ?? new SlipwayOptions();
        if (string.IsNullOrEmpty(options.Slugs.S3.Bucket))
        {
            await output.WriteLineAsync("Slipway:Slugs:S3:Bucket is required.");
            return 2;
        }

        var folder = new FolderSlugStore(Options.Create(options), TimeProvider.System);
        using var s3 = new S3SlugStore(Options.Create(options), TimeProvider.System, NullLogger<S3SlugStore>.Instance);
        int copied = 0, present = 0, broken = 0;
        foreach (var digest in folder.Digests())
        {
            if (await s3.ExistsAsync(digest, ct))
            {
                present++;
                continue;
            }

            await using var content = await folder.OpenReadAsync(digest, ct);
            var result = await s3.PutAsync(digest, content, long.MaxValue, ct);
            if (result.Status == SlugPutStatus.Stored)
            {
                copied++;
            }
            else
            {
                broken++;
                await output.WriteLineAsync($"Skipped {digest}: {result.Status} ({result.Problem ?? "the file does not match its name"}).");
            }
        }

        await output.WriteLineAsync($"Copied {copied} slugs to s3://{options.Slugs.S3.Bucket}/{options.Slugs.S3.Prefix} ({present} already there, {broken} skipped).");
        return broken == 0 ? 0 : 1;
    }
}
