using System.Globalization;
using System.Text;

namespace Slipway.Server.Tests.Runtime;

/// <summary>Finds an app's live processes on this machine by the <c>SLIPWAY_APP</c> the runtime gives them.</summary>
public static class AppProcesses
{
    public sealed record Found(int Pid, int Pgid);

    public static List<Found> Of(string appKey)
    {
        var needle = Encoding.UTF8.GetBytes($"SLIPWAY_APP={appKey}\0");
        var found = new List<Found>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var environ = System.IO.File.ReadAllBytes(Path.Combine(dir, "environ"));
                if (environ.AsSpan().IndexOf(needle) < 0)
                {
                    continue;
                }

                var stat = System.IO.File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] is "Z" or "X")
                {
                    continue;
                }

                found.Add(new Found(pid, int.Parse(fields[2], CultureInfo.InvariantCulture)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }

        return found;
    }

    /// <summary>The process groups (one per running process of the formation) of the app.</summary>
    public static HashSet<int> Groups(string appKey) => Of(appKey).Select(p => p.Pgid).ToHashSet();
}
