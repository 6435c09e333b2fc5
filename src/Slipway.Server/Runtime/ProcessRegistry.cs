using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Slipway.Server.Runtime;

/// <summary>
/// The process groups this server started, written to <c>runtime/processes.json</c> under the data
/// folder as they come and go, so that a server started after a crash (even SIGKILL) can find and
/// stop what the earlier run left behind. A group counts as ours only while its leader's start time matches.
/// Every app process also carries <see cref="EnvironmentVariable"/> with this data folder's runtime id,
/// which finds what a crash between spawning a process and recording it would otherwise hide.
/// Build steps (buildpack detect and compile, git) are recorded the same way, as builds, and carry
/// <see cref="BuildEnvironmentVariable"/>: the build engine stops their leftovers before the server
/// listens, the runtime those of app processes.
/// </summary>
public sealed class ProcessRegistry(IOptions<SlipwayOptions> options)
{
    public const string EnvironmentVariable = "SLIPWAY_RUNTIME_ID";

    public const string BuildEnvironmentVariable = "SLIPWAY_BUILD_RUNTIME_ID";

    private readonly Lock _gate = new();
    private readonly Dictionary<int, (long StartTime, bool Build)> _groups = [];
    private string? _runtimeId;

    private string FilePath => Path.Combine(options.Value.FullDataDir, "runtime", "processes.json");

    /// <summary>Names the processes of this data folder's runtime, whichever run of the server started them.</summary>
    public string RuntimeId
    {
        get
        {
            lock (_gate)
            {
                if (_runtimeId is null)
                {
                    var path = Path.Combine(options.Value.FullDataDir, "runtime", "id");
                    if (!File.Exists(path))
                    {
                        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                        File.WriteAllText(path, Guid.NewGuid().ToString("N"));
                    }

                    _runtimeId = File.ReadAllText(path).Trim();
                }

                return _runtimeId;
            }
        }
    }

    /// <summary>Records a process group this run started (<paramref name="build"/>: a build step's).</summary>
    public void Track(int pgid, bool build = false)
    {
        lock (_gate)
        {
            _groups[pgid] = (ProcessGroups.StartTime(pgid) ?? 0, build);
            Save();
        }
    }

    public void Untrack(int pgid)
    {
        lock (_gate)
        {
            if (_groups.Remove(pgid))
            {
                Save();
            }
        }
    }

    /// <summary>
    /// The groups of app processes (or, with <paramref name="builds"/>, of build steps) an earlier run
    /// started that still run. Call before this run starts any of them.
    /// </summary>
    public List<int> Leftovers(bool builds = false)
    {
        List<Entry>? recorded;
        try
        {
            recorded = JsonSerializer.Deserialize<List<Entry>>(File.ReadAllText(FilePath));
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            recorded = [];
        }

        return (recorded ?? [])
            .Where(e => e.Pgid > 1 && e.Build == builds && IsStillOurs(e))
            .Select(e => e.Pgid)
            .Union(ProcessGroups.WithEnvironment(builds ? BuildEnvironmentVariable : EnvironmentVariable, RuntimeId))
            .ToList();
    }

    /// <summary>
    /// The leader with the recorded start time is ours; a leader gone with members left is ours too, since
    /// the kernel hands out no pid that is still some group's id. A leader with another start time is not.
    /// </summary>
    private static bool IsStillOurs(Entry entry) => ProcessGroups.StartTime(entry.Pgid) is { } started
        ? started == entry.StartTime
        : !ProcessGroups.IsEmpty(entry.Pgid);

    private void Save()
    {
        var path = FilePath;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(_groups.Select(g => new Entry(g.Key, g.Value.StartTime, g.Value.Build)).ToList()));
        File.Move(temp, path, overwrite: true);
    }

    private sealed record Entry(int Pgid, long StartTime, bool Build = false);
}
