using System.CommandLine;
using System.Globalization;
using Slipway.Cli.Api;
using Slipway.Cli.Output;
using Slipway.Contracts;

namespace Slipway.Cli.Commands;

/// <summary>
/// <c>aka releases:create URL|FOLDER|ARCHIVE -a APP [--verbose]</c>: builds the source and waits
/// until its release is live, then prints <c>Deploying ARG to APP ... ✓</c>. A folder is packed
/// as a tar.gz and a local archive sent as it is, both through <c>POST /sources</c>. On failure:
/// <c>... ✕</c>, the last lines of the build output (or, for a failed release, those of its failing
/// process or release phase), the reason, and exit code 1.
/// </summary>
public sealed class ReleasesCreateCommand : AkaCommand
{
    /// <summary>How many lines of output a failure shows.</summary>
    public const int FailureLines = 20;

    private readonly Argument<string> _source = new("source") { Description = "An http(s) URL of a .zip or .tar.gz, a folder, or a local archive" };
    private readonly Option<string> _app = CommonOptions.App();
    private readonly Option<bool> _verbose = new("--verbose", "-v") { Description = "Stream the build output" };

    public ReleasesCreateCommand(CliContext context, CliOutput output)
        : base("releases:create", "Build a source and release it", context, output)
    {
        Arguments.Add(_source);
        Options.Add(_app);
        Options.Add(_verbose);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        var app = parseResult.GetRequiredValue(_app);
        var source = parseResult.GetRequiredValue(_source);
        var verbose = parseResult.GetValue(_verbose);
        using var api = Connect();
        var key = (await api.GetAppAsync(app, ct)).Value.Name;
        var action = $"Deploying {source} to {key}";

        var url = await SourceUrlAsync(api, source, ct);
        var build = (await api.CreateBuildAsync(key, new CreateBuildRequest(new SourceBlobRequest(url, null, null, null), null, null, null, null, null, null, null, null, true), ct)).Value;
        (BuildResponse Build, ReleaseResponse? Release) outcome;
        if (verbose)
        {
            await foreach (var line in api.StreamBuildOutputAsync(build, ct))
            {
                Output.Raw(line);
            }

            outcome = await WaitAsync(api, build, ct);
        }
        else
        {
            outcome = await Output.WhileAsync(action, () => WaitAsync(api, build, ct));
        }

        if (outcome.Release is { Status: "succeeded" })
        {
            Output.Done(action);
            return 0;
        }

        Output.Failed(action);
        if (outcome.Build.Status != "succeeded")
        {
            var result = (await api.GetBuildResultAsync(key, outcome.Build.Id.ToString(), ct)).Value;
            foreach (var line in result.Lines.TakeLast(FailureLines))
            {
                Output.Raw(line.Line);
            }

            Output.Error($"Build {Short(outcome.Build.Id)} failed: {outcome.Build.FailureReason ?? result.FailureReason ?? "see its output above"}");
            return 1;
        }

        if (outcome.Release is not { } release)
        {
            Output.Error($"Build {Short(outcome.Build.Id)} succeeded but made no release.");
            return 1;
        }

        var version = string.Create(CultureInfo.InvariantCulture, $"v{release.Version}");
        ReleaseFailure.ShowLines(Output, release);
        Output.Error($"Release {version} failed: {release.FailureReason ?? "no reason given"}");
        return 1;
    }

    /// <summary>A URL as it is; a folder packed, or an archive read, and uploaded: then its <c>get_url</c>.</summary>
    private static async Task<string> SourceUrlAsync(SlipwayApi api, string source, CancellationToken ct)
    {
        if (Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return source;
        }

        byte[] archive;
        if (Directory.Exists(source))
        {
            archive = await SourceArchive.PackAsync(source, ct);
        }
        else if (File.Exists(source))
        {
            archive = await File.ReadAllBytesAsync(source, ct);
        }
        else
        {
            throw new CliException($"{source} is not an http(s) URL, a folder or an archive file.");
        }

        var slot = (await api.CreateSourceAsync(ct)).Value;
        await api.UploadSourceAsync(slot.SourceBlob.PutUrl, archive, ct);
        return slot.SourceBlob.GetUrl;
    }

    /// <summary>Waits for the build, then for its release to leave <c>pending</c>.</summary>
    private static async Task<(BuildResponse Build, ReleaseResponse? Release)> WaitAsync(SlipwayApi api, BuildResponse build, CancellationToken ct)
    {
        build = await api.WaitForBuildAsync(build, ct);
        if (build.Status != "succeeded" || build.Release is not { } made)
        {
            return (build, null);
        }

        var release = (await api.GetReleaseAsync(build.App.Name, made.Id.ToString(), ct)).Value;
        return (build, await api.WaitUntilSettledAsync(build.App.Name, release, ct));
    }

    private static string Short(Guid id) => BuildsCommand.ShortId(id);
}
