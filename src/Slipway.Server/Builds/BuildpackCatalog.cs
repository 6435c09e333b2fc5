using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Slipway.Server.Runtime;
using Slipway.Server.Sources;

namespace Slipway.Server.Builds;

/// <summary>
/// A buildpack ready to run: <see cref="Url"/> is its identity (<c>slipway/nodejs</c>, a git URL
/// with its <c>#ref</c>, or a folder), <see cref="Name"/> what its <c>bin/detect</c> printed,
/// <see cref="Dir"/> where its <c>bin/</c> is.
/// </summary>
public sealed record Buildpack(string Url, string Name, string Dir)
{
    public string? Script(string name)
    {
        var path = System.IO.Path.Combine(Dir, "bin", name);
        return File.Exists(path) ? path : null;
    }
}

/// <summary>
/// Chooses the buildpack of a build, per the Heroku buildpack API: the one <c>BUILDPACK_URL</c>
/// names (a built-in's name, a folder, or a git URL with an optional <c>#ref</c>), else the first
/// built-in whose <c>bin/detect</c> succeeds, in the order of the built-ins' <c>order</c> file
/// (the built-ins' detections run one after the other in one sandbox).
/// It remembers what detection chose for a source (<see cref="DetectionKey"/>), so that the same
/// source built again can find its reusable slug without being unpacked and detected again.
/// </summary>
public sealed class BuildpackCatalog(ProcessLauncher launcher, IOptions<BuildOptions> options)
{
    public const string BuiltInPrefix = "slipway/";

    /// <summary>More remembered detections than this and the memory starts over (it only saves time).</summary>
    private const int MaxRemembered = 10_000;

    /// <summary>
    /// Runs <c>bin/detect BUILD_DIR</c> of each script after BUILD_DIR, in order, up to the first that
    /// exits 0, then prints that one's position and its output. Each detection reads end-of-file on
    /// stdin and its stderr goes where the runner's does, as when each ran in a sandbox of its own.
    /// </summary>
    private const string DetectInOrder = """
        build="$1"
        shift
        at=0
        for detect in "$@"; do
          if found="$("$detect" "$build" </dev/null)"; then
            printf '%s\n%s\n' "$at" "$found"
            exit 0
          fi
          at=$((at + 1))
        done
        exit 1
        """;

    private readonly ConcurrentDictionary<string, Buildpack> _detected = new(StringComparer.Ordinal);

    /// <summary>
    /// What decides the buildpack detection picks for a source: the source's digest, <c>BUILDPACK_URL</c>,
    /// and the files of every buildpack detection may run (all built-ins with their shared files and
    /// <c>order</c>, or the folder <c>BUILDPACK_URL</c> names). Null when detection cannot be known
    /// without fetching (a git <c>BUILDPACK_URL</c>) or a folder is not allowed: those builds detect.
    /// </summary>
    public string? DetectionKey(string sourceDigest, string? buildpackUrl)
    {
        var url = buildpackUrl?.Trim() ?? "";
        string folder;
        if (url.Length == 0 || (url.StartsWith(BuiltInPrefix, StringComparison.Ordinal) ? url[BuiltInPrefix.Length..] : url) is var name && !name.Contains('/') && BuiltIns().Contains(name))
        {
            folder = options.Value.FullBuildpacksDir;
        }
        else if (options.Value.AllowPrivateSources && url.StartsWith('/') && !url.Contains('#') && Directory.Exists(Path.Combine(url, "bin")))
        {
            folder = url;
        }
        else
        {
            return null;
        }

        if (!Directory.Exists(folder))
        {
            return null;
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in new[] { sourceDigest, url, SlugReuse.DigestOfFolder(folder) })
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The buildpack detection chose for <paramref name="detectionKey"/> before, if it did since the server started.</summary>
    public Buildpack? Remembered(string detectionKey) =>
        _detected.TryGetValue(detectionKey, out var buildpack) && Directory.Exists(buildpack.Dir) ? buildpack : null;

    public void Remember(string detectionKey, Buildpack buildpack)
    {
        if (_detected.Count >= MaxRemembered)
        {
            _detected.Clear();
        }

        _detected[detectionKey] = buildpack;
    }

    /// <summary>The built-ins in detection order; <c>procfile</c> is last as it claims any app with a Procfile.</summary>
    public IReadOnlyList<string> BuiltIns()
    {
        var root = options.Value.FullBuildpacksDir;
        var orderFile = Path.Combine(root, "order");
        var names = File.Exists(orderFile)
            ? File.ReadAllLines(orderFile).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
            : Directory.Exists(root) ? Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal) : [];
        return [.. names.Where(n => Directory.Exists(Path.Combine(root, n, "bin")))];
    }

    /// <summary>
    /// What the built-in buildpacks read of the server's settings, as environment variables: the
    /// folders of toolchain versions an app may ask for (<c>engines.node</c>, <c>.python-version</c>).
    /// </summary>
    public void AddToolchains(IDictionary<string, string> env)
    {
        foreach (var (name, folder) in new[] { ("SLIPWAY_NODE_VERSIONS_DIR", options.Value.NodeVersionsDir), ("SLIPWAY_PYTHON_VERSIONS_DIR", options.Value.PythonVersionsDir) })
        {
            if (!string.IsNullOrWhiteSpace(folder))
            {
                env[name] = Path.GetFullPath(folder);
            }
        }
    }

    /// <summary>
    /// The buildpack of a build; <c>bin/detect</c> runs in <paramref name="sandbox"/>: that of <c>BUILDPACK_URL</c> with its
    /// folder shown read-only, the built-ins' (shown read-only in every build sandbox) all in one.
    /// </summary>
    public async Task<Buildpack> SelectAsync(string? buildpackUrl, string buildDir, string workDir, IReadOnlyDictionary<string, string> env, ProcessSandbox sandbox, BuildOutput output, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(buildpackUrl))
        {
            var chosen = await ResolveAsync(buildpackUrl.Trim(), workDir, env, output, ct);
            output.Heading($"Using buildpack {SourceUrls.ForDisplay(chosen.Url)} (BUILDPACK_URL)");
            if (chosen.Script("detect") is null)
            {
                return chosen;
            }

            var (matched, name) = await DetectAsync(chosen, buildDir, env, sandbox, ct);
            return matched
                ? chosen with { Name = name }
                : throw new BuildFailedException($"The app is not compatible with buildpack {SourceUrls.ForDisplay(chosen.Url)}: its bin/detect did not recognise it.");
        }

        // The built-ins' bin/detect run one after the other in one sandbox: starting a sandbox costs
        // far more than a detection (they only look at the build folder). A built-in whose bin/detect
        // is not executable fails the build where detection reaches it, as when each ran on its own.
        var builtIns = BuiltIns();
        var candidates = builtIns
            .Select(b => new Buildpack(BuiltInPrefix + b, b, Path.Combine(options.Value.FullBuildpacksDir, b)))
            .Where(c => c.Script("detect") is not null)
            .ToList();
        var runnable = candidates.TakeWhile(c => IsExecutable(c.Script("detect")!)).ToList();
        if (runnable.Count > 0)
        {
            var step = new ProcessSpec("/bin/sh", ["-c", DetectInOrder, "detect", buildDir, .. runnable.Select(c => c.Script("detect")!)], buildDir, env) { Sandbox = sandbox };
            var (exit, stdout) = await launcher.CaptureAsync(step, _ => { }, ct);
            if (exit == 0 && stdout.Count > 0 && int.TryParse(stdout[0], NumberStyles.None, CultureInfo.InvariantCulture, out var at) && at < runnable.Count)
            {
                return runnable[at] with { Name = NameOf(stdout.Skip(1), runnable[at]) };
            }
        }

        if (runnable.Count < candidates.Count)
        {
            EnsureExecutable(candidates[runnable.Count], candidates[runnable.Count].Script("detect")!);
        }

        throw new BuildFailedException(
            $"No buildpack recognised this app (tried {(builtIns.Count > 0 ? string.Join(", ", builtIns) : "none: no built-in buildpacks were found in " + options.Value.FullBuildpacksDir)}). " +
            "Add a Procfile, or set BUILDPACK_URL to a buildpack.");
    }

    /// <summary>Runs <c>bin/detect BUILD_DIR</c>: exit 0 is a match, and its first line of output names the app's kind.</summary>
    private async Task<(bool Matched, string Name)> DetectAsync(Buildpack buildpack, string buildDir, IReadOnlyDictionary<string, string> env, ProcessSandbox sandbox, CancellationToken ct)
    {
        var detect = buildpack.Script("detect")!;
        EnsureExecutable(buildpack, detect);
        var step = new ProcessSpec(detect, [buildDir], buildDir, env) { Sandbox = sandbox with { ReadOnly = [.. sandbox.ReadOnly, buildpack.Dir] } };
        var (exit, stdout) = await launcher.CaptureAsync(step, _ => { }, ct);
        return (exit == 0, NameOf(stdout, buildpack));
    }

    /// <summary>The kind of app a matching <c>bin/detect</c> named: its first line of output, else the buildpack's name.</summary>
    private static string NameOf(IEnumerable<string> detectOutput, Buildpack buildpack) =>
        detectOutput.Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? buildpack.Name;

    private async Task<Buildpack> ResolveAsync(string url, string workDir, IReadOnlyDictionary<string, string> env, BuildOutput output, CancellationToken ct)
    {
        var builtInName = url.StartsWith(BuiltInPrefix, StringComparison.Ordinal) ? url[BuiltInPrefix.Length..] : url;
        if (builtInName.Length > 0 && !builtInName.Contains('/') && BuiltIns().Contains(builtInName))
        {
            return new Buildpack(BuiltInPrefix + builtInName, builtInName, Path.Combine(options.Value.FullBuildpacksDir, builtInName));
        }

        var hash = url.LastIndexOf('#');
        var repository = hash >= 0 ? url[..hash] : url;
        var reference = hash >= 0 && hash < url.Length - 1 ? url[(hash + 1)..] : null;
        var local = repository.StartsWith('/') ? repository
            : Uri.TryCreate(repository, UriKind.Absolute, out var uri) && uri.IsFile ? uri.LocalPath
            : null;
        if (local is not null && !options.Value.AllowPrivateSources)
        {
            throw new BuildFailedException($"BUILDPACK_URL '{SourceUrls.ForDisplay(url)}' is a folder on the server, which builds may not use (an admin can allow it: Slipway:Builds:AllowPrivateSources); use a built-in or a git URL.");
        }

        if (local is not null && reference is null && Directory.Exists(Path.Combine(local, "bin")))
        {
            return new Buildpack(url, NameOf(local), local);
        }

        if (local is null && !LooksLikeGit(repository))
        {
            throw new BuildFailedException($"BUILDPACK_URL '{SourceUrls.ForDisplay(url)}' is neither a built-in buildpack ({string.Join(", ", BuiltIns())}), a folder with a bin/ folder, nor a git URL.");
        }

        return await CloneAsync(url, repository, reference, Path.Combine(workDir, "buildpack"), env, output, ct);
    }

    private async Task<Buildpack> CloneAsync(string url, string repository, string? reference, string target, IReadOnlyDictionary<string, string> baseEnv, BuildOutput output, CancellationToken ct)
    {
        output.Heading($"Fetching buildpack {SourceUrls.ForDisplay(url)}");
        var env = new Dictionary<string, string>(baseEnv, StringComparer.Ordinal) { ["GIT_TERMINAL_PROMPT"] = "0" };
        List<string> shallow = ["clone", "--quiet", "--depth", "1"];
        if (!options.Value.AllowPrivateSources)
        {
            try
            {
                await SourceReach.EnsureRemoteAllowedAsync(repository, allowPrivate: false, ct);
            }
            catch (SourceReachException e)
            {
                throw new BuildFailedException($"Could not fetch buildpack {SourceUrls.ForDisplay(url)}: {e.Message}");
            }

            env["GIT_ALLOW_PROTOCOL"] = SourceReach.NetworkProtocolsOnly;
            env["GIT_CONFIG_COUNT"] = "1";
            env["GIT_CONFIG_KEY_0"] = "http.followRedirects";
            env["GIT_CONFIG_VALUE_0"] = "false";
        }

        var workDir = Path.GetDirectoryName(target)!;

        if (reference is not null)
        {
            shallow.AddRange(["--branch", reference]);
        }

        var exit = await GitAsync([.. shallow, "--", repository, target], workDir, env, output, ct);
        if (exit != 0 && reference is not null)
        {
            // A commit sha is not a branch or tag: clone everything and check it out.
            BuildPaths.Remove(target);
            exit = await GitAsync(["clone", "--quiet", "--", repository, target], workDir, env, output, ct);
            if (exit == 0)
            {
                exit = await GitAsync(["-C", target, "checkout", "--quiet", reference], workDir, env, output, ct);
            }
        }

        if (exit != 0)
        {
            throw new BuildFailedException($"Could not fetch buildpack {SourceUrls.ForDisplay(url)}: git exited with code {exit}.");
        }

        var buildpack = new Buildpack(url, NameOf(repository), target);
        return buildpack.Script("compile") is null
            ? throw new BuildFailedException($"Buildpack {SourceUrls.ForDisplay(url)} has no bin/compile.")
            : buildpack;
    }

    private Task<int> GitAsync(IReadOnlyList<string> arguments, string workDir, IReadOnlyDictionary<string, string> env, BuildOutput output, CancellationToken ct) =>
        launcher.RunAsync(new ProcessSpec("git", arguments, workDir, env), (line, _) => output.Info(line), ct);

    /// <summary>A buildpack's files may come from a place that lost their modes; say so instead of failing obscurely.</summary>
    public static void EnsureExecutable(Buildpack buildpack, string script)
    {
        if (!IsExecutable(script))
        {
            throw new BuildFailedException($"Buildpack {SourceUrls.ForDisplay(buildpack.Url)}: bin/{Path.GetFileName(script)} is not executable.");
        }
    }

    private static bool IsExecutable(string script) => (File.GetUnixFileMode(script) & UnixFileMode.UserExecute) != 0;

    private static bool LooksLikeGit(string url) =>
        url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
        || url.StartsWith("git://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("ssh://", StringComparison.OrdinalIgnoreCase)
        || url.StartsWith("git@", StringComparison.Ordinal);

    private static string NameOf(string location)
    {
        var name = location.TrimEnd('/').Split('/', ':').Last();
        return name.EndsWith(".git", StringComparison.Ordinal) ? name[..^4] : name;
    }
}
